-- char-rnn checkpoints written by real Torch7 (tests/fixtures/torch7/charrnn, see its
-- README): nngraph LSTM and GRU gModules load, and stepping them over the fixture's text
-- reproduces Torch7's log-probabilities and final state; saving and reloading round-trips.
local here = debug.getinfo(1, "S").source:match("^@(.*)lua_server/spec/[^/]*$") or "./"
local FIXTURES = here .. "tests/fixtures/torch7/charrnn/"
require "nngraph"

-- char-rnn's own module, as its README describes it: one-hot rows picked by the indices
local OneHot = torch.class("OneHot", "nn.Module")
function OneHot:updateOutput(input)
  self.output:resize(input:size(1), self.outputSize):zero()
  self.output:copy(self._eye:index(1, input:long()))
  return self.output
end

local function stateSize(checkpoint)
  local layers = checkpoint.opt.num_layers
  return checkpoint.opt.model == "lstm" and 2 * layers or layers
end

-- feeds the characters one at a time from a zero state; returns (steps x vocab) log-probs
-- and the final state joined along dimension 2
local function run(checkpoint, indices)
  local rnn = checkpoint.protos.rnn
  rnn:evaluate()
  local state = {}
  for i = 1, stateSize(checkpoint) do state[i] = torch.zeros(1, checkpoint.opt.rnn_size) end
  local logprobs = torch.Tensor(indices:size(1), 0)
  for t = 1, indices:size(1) do
    local out = rnn:forward({ torch.Tensor { indices[t] }, unpack(state) })
    for i = 1, #state do state[i] = out[i]:clone() end
    local lp = out[#out]
    if t == 1 then logprobs:resize(indices:size(1), lp:size(2)) end
    logprobs[t]:copy(lp[1])
  end
  return logprobs, torch.cat(state, 2)
end

local function maxDiff(a, b)
  expect.eq(table.concat(a:size():totable(), "x"), table.concat(b:size():totable(), "x"), "size")
  return (a - b):abs():max()
end

for _, model in ipairs({ "lstm", "gru" }) do
  describe("char-rnn " .. model .. " checkpoint from Torch7", function()
    local checkpoint = torch.load(FIXTURES .. model .. ".t7")
    local expected = torch.load(FIXTURES .. model .. "_expected.t7")

    it("loads as char-rnn saved it", function()
      expect.eq(checkpoint.opt.model, model)
      expect.eq(torch.typename(checkpoint.protos.rnn), "nn.gModule")
      expect.eq(torch.typename(checkpoint.protos.rnn.forwardnodes[1]), "nngraph.Node")
      expect.eq(checkpoint.protos.rnn.nInputs, 1 + stateSize(checkpoint))
      local size = 0
      for char, index in pairs(checkpoint.vocab) do
        size = size + 1
        expect.eq(type(char), "string")
        expect.truthy(index >= 1 and index <= 71, "index of " .. char)
      end
      expect.eq(size, 71, "vocabulary")
      for t = 1, #expected.text do
        expect.eq(checkpoint.vocab[expected.text:sub(t, t)], expected.indices[t], "index of character " .. t)
      end
    end)

    it("reproduces Torch7's log-probabilities and final state (Double, 1e-10)", function()
      local logprobs, final = run(checkpoint, expected.indices)
      expect.truthy(maxDiff(logprobs, expected.logprobs) <= 1e-10, "log-probabilities")
      expect.truthy(maxDiff(final, expected.final_state) <= 1e-10, "final state")
    end)

    it("saves and reloads to the same numbers", function()
      local name = os.tmpname()
      torch.save(name, checkpoint)
      local again = torch.load(name)
      os.remove(name)
      expect.same(again.opt, checkpoint.opt)
      expect.same(again.vocab, checkpoint.vocab)
      local logprobs, final = run(again, expected.indices)
      expect.truthy(maxDiff(logprobs, expected.logprobs) <= 1e-10, "log-probabilities")
      expect.truthy(maxDiff(final, expected.final_state) <= 1e-10, "final state")
    end)
  end)
end
