-- nn.StochasticGradient(module, criterion): plain SGD over a dataset, Torch7's trainer.
-- dataset:size() examples, dataset[i] = {input, target}; each epoch visits them in one fixed
-- random order (drawn once, before the first epoch) or in order when shuffleIndices is
-- false, updating the parameters after every example with accUpdateGradParameters.
-- Fields: learningRate (0.01), learningRateDecay (0: rate = learningRate / (1 + epoch *
-- decay)), maxIteration (25 epochs; 0 = forever), shuffleIndices, verbose, and the
-- callbacks hookExample(self, example) and hookIteration(self, iteration, error).
local torch = require "torch"
local StochasticGradient = torch.class("nn.StochasticGradient")

function StochasticGradient:__init(module, criterion)
  self.learningRate = 0.01
  self.learningRateDecay = 0
  self.maxIteration = 25
  self.shuffleIndices = true
  self.module = module
  self.criterion = criterion
  self.verbose = true
end

function StochasticGradient:train(dataset)
  local module, criterion = self.module, self.criterion
  local n = dataset:size()
  -- drawn even when not used, so the generator moves as Torch7's does
  local order = torch.randperm(n):long()
  if not self.shuffleIndices then
    for t = 1, n do order[t] = t end
  end
  local iteration, rate = 1, self.learningRate
  print("# StochasticGradient: training")
  while true do
    local total = 0
    for t = 1, n do
      local example = dataset[order[t]]
      local input, target = example[1], example[2]
      total = total + criterion:forward(module:forward(input), target)
      module:updateGradInput(input, criterion:updateGradInput(module.output, target))
      module:accUpdateGradParameters(input, criterion.gradInput, rate)
      if self.hookExample then self.hookExample(self, example) end
    end
    local currentError = total / n
    if self.hookIteration then self.hookIteration(self, iteration, currentError) end
    if self.verbose then print("# current error = " .. currentError) end
    iteration = iteration + 1
    rate = self.learningRate / (1 + iteration * self.learningRateDecay)
    if self.maxIteration > 0 and iteration > self.maxIteration then
      print("# StochasticGradient: you have reached the maximum number of iterations")
      print("# training error = " .. currentError)
      break
    end
  end
end

return StochasticGradient
