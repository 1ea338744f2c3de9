-- optim.Logger and optim.ConfusionMatrix: file contents and printed forms as Torch7's.
require "optim"

local function read_all(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

-- a fresh path under the system's temporary directory
local function temp_path(suffix)
  local base = os.tmpname()
  os.remove(base)
  return base .. suffix
end

describe("optim.Logger", function()
  it("setNames then add: a header row and '%11.4e' fields, each followed by a tab", function()
    local path = temp_path(".log")
    local logger = optim.Logger(path)
    expect.eq(torch.type(logger), "optim.Logger", "type")
    expect.truthy(logger:setNames { "train", "test" } == logger, "setNames returns self")
    logger:add { 1, 0.5 }
    logger:add { -2.5, 12345.678 }
    logger:add { 0, "n/a" }
    expect.eq(read_all(path),
      "train\ttest\t\n" ..
      " 1.0000e+00\t 5.0000e-01\t\n" ..
      "-2.5000e+00\t 1.2346e+04\t\n" ..
      " 0.0000e+00\tn/a\t\n", "file contents")
    expect.same(logger.symbols, { { 1, -2.5, 0 }, { 0.5, 12345.678, "n/a" } }, "symbols")
    expect.eq(logger.idx.test, 2, "idx")
    expect.eq(logger.name, path, "name")
    expect.eq(logger.epsfile, path .. ".eps", "epsfile")
    logger.file:close()
    os.remove(path)
  end)

  it("add with named values writes the names as the header on first use", function()
    local path = temp_path(".log")
    local logger = optim.Logger(path)
    logger:add { ["loss"] = 0.25 }
    logger:add { ["loss"] = 1e-10 }
    expect.eq(read_all(path), "loss\t\n 2.5000e-01\t\n 1.0000e-10\t\n", "file contents")
    expect.same(logger.symbols, { loss = { 0.25, 1e-10 } }, "symbols")
    expect.same(logger.styles, { loss = { "+" } }, "default style")
    logger.file:close()
    os.remove(path)
  end)

  it("creates missing directories, and appends a timestamp when asked", function()
    local dir = temp_path("_logdir")
    local path = dir .. "/sub/acc.log"
    local logger = optim.Logger(path)
    logger:setNames { "a" }
    logger:add { 3 }
    expect.eq(read_all(path), "a\t\n 3.0000e+00\t\n", "nested file")
    logger.file:close()
    local stamped = optim.Logger(dir .. "/t.log", true)
    stamped:add { 1 }
    stamped.file:close()
    local ls = io.popen("ls '" .. dir .. "'"):read("*a")
    expect.truthy(ls:match("t%.log%-%d%d%d%d_%d%d_%d%d_%d%d:%d%d:%d%d"), "timestamped name in: " .. ls)
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("style, setlogscale and display record settings; plot draws nothing and warns once", function()
    local path = temp_path(".log")
    local logger = optim.Logger(path)
    logger:setNames { "a", "b" }
    logger:add { 1, 2 }
    logger:add { 2, 3 }
    expect.truthy(logger:style { "-", { "+", "~" } } == logger, "style returns self")
    expect.same(logger.styles, { { "-" }, { "+", "~" } }, "styles")
    logger:setlogscale(true)
    expect.eq(logger.logscale, true, "logscale")
    logger:display(false)
    expect.eq(logger.showPlot, false, "showPlot")
    local printed = {}
    local saved = print
    _G.print = function(...) printed[#printed + 1] = table.concat({ ... }, " ") end
    local ok, err = pcall(function()
      logger:plot()
      logger:plot("a")
    end)
    _G.print = saved
    expect.truthy(ok, "plot does not fail: " .. tostring(err))
    expect.same(printed, { "<Logger> warning: cannot plot with this version of Torch" }, "one warning")
    logger.file:close()
    os.remove(path)
  end)

  it("refuses values that are neither numbers nor strings, and bad styles", function()
    local path = temp_path(".log")
    local logger = optim.Logger(path)
    logger:setNames { "a" }
    expect.error(function() logger:add { {} } end, "<Logger> can only log numbers and strings")
    expect.error(function() logger:style { 3 } end, "<Logger> style should be a string or a table of strings")
    logger.file:close()
    os.remove(path)
  end)
end)

-- 3 classes; pairs (prediction, target):
--   (1, 1) (2, 1) (scores argmax 2, 2) (scores argmax 1, one-hot 3) (3, 3) and (2, 0) ignored
-- mat (rows = targets):  [1 1 0; 0 1 0; 1 0 1]
-- valids = diag / row sums = (1/2, 1/1, 1/2); unionvalids = diag / (row + col - diag)
-- = (1/3, 1/2, 1/2) stored in a FloatTensor; totalValid = 3/5
local function example(classes)
  local cm = optim.ConfusionMatrix(classes)
  cm:add(1, 1)
  cm:add(2, 1)
  cm:add(torch.Tensor { 0.1, 0.7, 0.2 }, 2)
  cm:add(torch.Tensor { 0.9, 0.05, 0.05 }, torch.Tensor { 0, 0, 1 })
  cm:add(3, 3)
  cm:add(2, 0)
  return cm
end

local function f32(x) return torch.FloatTensor({ x })[1] end

describe("optim.ConfusionMatrix", function()
  it("counts pairs of indices, score vectors and one-hot targets", function()
    local cm = example(3)
    expect.eq(torch.type(cm.mat), "torch.LongTensor", "mat type")
    expect.same(cm.mat:totable(), { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } }, "mat")
    expect.eq(cm.nclasses, 3, "nclasses")
    expect.same(cm.classes, {}, "no class names")
  end)

  it("updateValids: per-class, union, total and average accuracies", function()
    local cm = example(3)
    cm:updateValids()
    expect.eq(torch.type(cm.valids), "torch.FloatTensor", "valids type")
    expect.same(cm.valids:totable(), { 0.5, 1, 0.5 }, "valids")
    expect.eq(cm.unionvalids[1], f32(1 / 3), "unionvalids[1] (float)")
    expect.eq(cm.unionvalids[2], 0.5, "unionvalids[2]")
    expect.eq(cm.unionvalids[3], 0.5, "unionvalids[3]")
    expect.eq(cm.totalValid, 3 / 5, "totalValid")
    expect.eq(cm.averageValid, (0.5 + 1 + 0.5) / 3, "averageValid")
    expect.eq(cm.averageUnionValid, (f32(1 / 3) + 0.5 + 0.5) / 3, "averageUnionValid")
  end)

  it("skips classes without samples in the averages", function()
    local cm = optim.ConfusionMatrix(3)
    cm:add(1, 1)
    cm:add(2, 1)
    cm:add(2, 2)
    cm:updateValids()
    expect.truthy(cm.valids[3] ~= cm.valids[3], "valids[3] is NaN")
    expect.eq(cm.averageValid, (0.5 + 1) / 2, "averageValid over 2 classes")
    expect.eq(cm.totalValid, 2 / 3, "totalValid")
  end)

  it("prints like Torch7, with class names", function()
    local cm = example { "cat", "dog", "bird" }
    expect.eq(#cm.classes, 3, "classes")
    expect.eq(tostring(cm),
      "ConfusionMatrix:\n" ..
      "[[       1       1       0]   50.000% \t[class: cat]\n" ..
      " [       0       1       0]   100.000% \t[class: dog]\n" ..
      " [       1       0       1]]  50.000% \t[class: bird]\n" ..
      " + average row correct: 66.666666666667% \n" ..
      " + average rowUcol correct (VOC measure): 44.444444775581% \n" ..
      " + global correct: 60%", "printed")
  end)

  it("prints like Torch7, without class names", function()
    local cm = optim.ConfusionMatrix(2)
    cm:add(1, 1)
    cm:add(2, 2)
    cm:add(2, 2)
    expect.eq(tostring(cm),
      "ConfusionMatrix:\n" ..
      "[[       1       0]   100.000% \n" ..
      " [       0       2]]  100.000% \n" ..
      " + average row correct: 100% \n" ..
      " + average rowUcol correct (VOC measure): 100% \n" ..
      " + global correct: 100%", "printed")
  end)

  it("widens the columns for counts of 8 digits and more", function()
    local cm = optim.ConfusionMatrix(1)
    cm.mat[1][1] = 123456789
    -- nDigits = max(8, 1 + ceil(log10(123456789))) = 10
    expect.truthy(tostring(cm):find("[[ 123456789]]  100.000% ", 1, true), "10-wide column")
  end)

  it("batchAdd: score rows against class indices and one-hot rows, missing targets ignored", function()
    local cm = optim.ConfusionMatrix(3)
    local scores = torch.Tensor { { 0.8, 0.1, 0.1 }, { 0.2, 0.3, 0.5 }, { 0.1, 0.6, 0.3 }, { 0.5, 0.2, 0.3 } }
    cm:batchAdd(scores, torch.Tensor { 1, 3, 3, 0 })
    expect.same(cm.mat:totable(), { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 1, 1 } }, "after index targets")
    cm:batchAdd(scores, torch.Tensor { { 0, 1, 0 }, { 0, 1, 0 }, { 0, 1, 0 }, { 1, 0, 0 } })
    expect.same(cm.mat:totable(), { { 2, 0, 0 }, { 1, 1, 1 }, { 0, 1, 1 } }, "after one-hot targets")
    cm:batchAdd(torch.Tensor { 2, 2 }, torch.Tensor { { 1 }, { 3 } })
    expect.same(cm.mat:totable(), { { 2, 1, 0 }, { 1, 1, 1 }, { 0, 2, 1 } }, "after index vectors")
    expect.error(function() cm:batchAdd(torch.Tensor(2, 2, 2), torch.Tensor { 1, 2 }) end,
      "predictions has invalid number of dimensions")
  end)

  it("zero resets the counts and the accuracies", function()
    local cm = example(3)
    cm:updateValids()
    cm:zero()
    expect.eq(cm.mat:sum(), 0, "mat")
    expect.eq(cm.valids:sum(), 0, "valids")
    expect.eq(cm.totalValid, 0, "totalValid")
    expect.eq(cm.averageValid, 0, "averageValid")
  end)

  it("farFrr: false rejection and acceptance rates per class", function()
    local cm = example(3)
    local classFrrs, classFars, frrs, fars = cm:farFrr()
    -- FRR = 1 - mat[i][i]/row(i); FAR(i) = mean over other classes j of mat[j][i]/row(j)
    expect.same(classFrrs:totable(), { 0.5, 0, 0.5 }, "classFrrs")
    expect.same(classFars:totable(), { 0.25, 0.25, 0 }, "classFars")
    expect.eq(frrs:size(1), 3, "frrs")
    expect.eq(fars:size(1), 3, "fars")
  end)

  it("rejects bad indices and inputs", function()
    local cm = optim.ConfusionMatrix(2)
    expect.error(function() cm:add(3, 1) end, "class index out of range")
    expect.error(function() cm:add(torch.Tensor(2, 2), 1) end, "1D tensor of scores")
    expect.error(function() optim.ConfusionMatrix("x") end, "expected a number of classes")
  end)
end)
