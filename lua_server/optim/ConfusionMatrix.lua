-- optim.ConfusionMatrix(nclasses | classes [, classes]): counts (target, prediction)
-- pairs in a LongTensor `mat` (rows: targets, columns: predictions), as torch/optim does.
--   cm:add(prediction, target)     prediction: class index or score vector (argmax);
--                                  target: class index or one-hot/score vector (argmax);
--                                  targets <= 0 are ignored as missing
--   cm:batchAdd(predictions, targets)   N-vectors of indices or NxK score matrices
--   cm:updateValids()   valids[t] = mat[t][t] / row sum (FloatTensor), unionvalids[t] =
--                       mat[t][t] / (row + column - mat[t][t]), totalValid,
--                       averageValid, averageUnionValid (NaN classes skipped)
--   cm:zero(), cm:farFrr(), print(cm)
local torch = require "torch"
require "optim.env"

local ConfusionMatrix = torch.class("optim.ConfusionMatrix")

local type, error, tostring = type, error, tostring
local format, concat, tinsert = string.format, table.concat, table.insert
local ceil, mmax, log10 = math.ceil, math.max, math.log10

function ConfusionMatrix:__init(nclasses, classes)
  if type(nclasses) == "table" then
    classes = nclasses
    nclasses = #classes
  end
  if type(nclasses) ~= "number" or nclasses < 1 or nclasses ~= math.floor(nclasses) then
    error("optim.ConfusionMatrix: expected a number of classes or a table of class names, got "
      .. tostring(nclasses), 2)
  end
  self.mat = torch.LongTensor(nclasses, nclasses):zero()
  self.valids = torch.FloatTensor(nclasses):zero()
  self.unionvalids = torch.FloatTensor(nclasses):zero()
  self.nclasses = nclasses
  self.totalValid = 0
  self.averageValid = 0
  self.classes = classes or {}
  -- buffers
  self._mat_flat = self.mat:view(-1)
  self._target = torch.FloatTensor()
  self._prediction = torch.FloatTensor()
  self._max = torch.FloatTensor()
  self._pred_idx = torch.LongTensor()
  self._targ_idx = torch.LongTensor()
end

-- one (prediction, target) pair of class indices
function ConfusionMatrix:_add(p, t)
  if type(p) ~= "number" then error("ConfusionMatrix.add: the prediction must be a class index", 3) end
  if type(t) ~= "number" then error("ConfusionMatrix.add: the target must be a class index", 3) end
  if t > 0 then  -- non-positive targets are missing values
    local n = self.nclasses
    if t > n or p < 1 or p > n then
      error(format("ConfusionMatrix.add: class index out of range (target %s, prediction %s, %d classes)",
        tostring(t), tostring(p), n), 3)
    end
    local row = self.mat[t]
    row[p] = row[p] + 1
  end
end

function ConfusionMatrix:add(prediction, target)
  if type(prediction) == "number" then
    self:_add(prediction, target)
    return
  end
  if not torch.isTensor(prediction) or prediction:dim() ~= 1 then
    error("ConfusionMatrix.add: the prediction must be a class index or a 1D tensor of scores", 2)
  end
  self._prediction:resize(prediction:size()):copy(prediction)
  if type(target) == "number" then
    -- a score vector against a class index
    torch.max(self._max, self._pred_idx, self._prediction, 1)
    self:_add(self._pred_idx[1], target)
  else
    -- two vectors: both are taken by their argmax
    if not torch.isTensor(target) or target:dim() ~= 1 then
      error("ConfusionMatrix.add: the target must be a class index or a 1D tensor", 2)
    end
    self._target:resize(target:size()):copy(target)
    torch.max(self._max, self._targ_idx, self._target, 1)
    torch.max(self._max, self._pred_idx, self._prediction, 1)
    self:_add(self._pred_idx[1], self._targ_idx[1])
  end
end

function ConfusionMatrix:batchAdd(predictions, targets)
  local preds, targs
  self._prediction:resize(predictions:size()):copy(predictions)
  if predictions:dim() == 1 then
    preds = self._prediction                       -- a vector of classes
  elseif predictions:dim() == 2 then
    if predictions:size(2) == 1 then
      preds = self._prediction:select(2, 1)        -- a column of classes
    else
      torch.max(self._max, self._pred_idx, self._prediction, 2)  -- rows of scores
      preds = self._pred_idx:select(2, 1)
    end
  else
    error("predictions has invalid number of dimensions", 2)
  end

  self._target:resize(targets:size()):copy(targets)
  if targets:dim() == 1 then
    targs = self._target
  elseif targets:dim() == 2 then
    if targets:size(2) == 1 then
      targs = self._target:select(2, 1)
    else
      torch.max(self._max, self._targ_idx, self._target, 2)  -- one-hot rows
      targs = self._targ_idx:select(2, 1)
    end
  else
    error("targets has invalid number of dimensions", 2)
  end

  -- non-positive targets are missing values
  local mask = targs:ge(1)
  if mask:sum() == 0 then return end
  targs = targs[mask]
  preds = preds[mask]

  self._mat_flat = self._mat_flat or self.mat:view(-1)
  preds = preds:typeAs(targs)
  if not (self.mat:isContiguous() and self.mat:stride(2) == 1) then
    error("ConfusionMatrix.batchAdd: mat must be contiguous", 2)
  end
  -- one scatter-add into the flattened matrix: index (t-1)*stride + p
  local indices = ((targs - 1) * self.mat:stride(1) + preds):typeAs(self.mat)
  local ones = torch.ones(1):typeAs(self.mat):expand(indices:size(1))
  self._mat_flat:indexAdd(1, indices, ones)
end

function ConfusionMatrix:zero()
  self.mat:zero()
  self.valids:zero()
  self.unionvalids:zero()
  self.totalValid = 0
  self.averageValid = 0
end

local function isNaN(number)
  return number ~= number
end

function ConfusionMatrix:updateValids()
  local mat = self.mat
  local total = 0
  for t = 1, self.nclasses do
    local diag = mat[t][t]
    local row, col = mat:select(1, t):sum(), mat:select(2, t):sum()
    self.valids[t] = diag / row
    self.unionvalids[t] = diag / (row + col - diag)
    total = total + diag
  end
  self.totalValid = total / mat:sum()
  self.averageValid = 0
  self.averageUnionValid = 0
  local nvalids = 0
  local nunionvalids = 0
  for t = 1, self.nclasses do
    local valid, union = self.valids[t], self.unionvalids[t]
    if not isNaN(valid) then
      self.averageValid = self.averageValid + valid
      nvalids = nvalids + 1
    end
    if not isNaN(valid) and not isNaN(union) then
      self.averageUnionValid = self.averageUnionValid + union
      nunionvalids = nunionvalids + 1
    end
  end
  self.averageValid = self.averageValid / nvalids
  self.averageUnionValid = self.averageUnionValid / nunionvalids
end

-- false rejection / false acceptance rates per class (classes with no samples skipped)
function ConfusionMatrix:farFrr()
  local cmat = self.mat
  local noOfClasses = cmat:size(1)
  self._frrs = self._frrs or torch.zeros(noOfClasses)
  self._frrs:zero()
  self._classFrrs = self._classFrrs or torch.zeros(noOfClasses)
  self._classFrrs:zero()
  self._classFrrs:add(-1)
  self._fars = self._fars or torch.zeros(noOfClasses)
  self._fars:zero()
  self._classFars = self._classFars or torch.zeros(noOfClasses)
  self._classFars:zero()
  self._classFars:add(-1)
  local classSamplesCount = cmat:sum(2)
  local indx = 1
  for i = 1, noOfClasses do
    if classSamplesCount[i][1] ~= 0 then
      self._frrs[indx] = 1 - cmat[i][i] / classSamplesCount[i][1]
      self._classFrrs[i] = self._frrs[indx]
      local farNumerator = 0
      local farDenominator = 0
      for j = 1, noOfClasses do
        if i ~= j and classSamplesCount[j][1] ~= 0 then
          farNumerator = farNumerator + cmat[j][i] / classSamplesCount[j][1]
          farDenominator = farDenominator + 1
        end
      end
      self._fars[indx] = farNumerator / farDenominator
      self._classFars[i] = self._fars[indx]
      indx = indx + 1
    end
  end
  indx = indx - 1
  local returnFrrs = self._frrs[{ { 1, indx } }]
  local returnFars = self._fars[{ { 1, indx } }]
  return self._classFrrs, self._classFars, returnFrrs, returnFars
end

-- Torch7's layout: counts right-aligned in max(8, 1 + ceil(log10(max count))) columns,
-- each row followed by its accuracy ('%2.3f') and class name when names were given
function ConfusionMatrix:__tostring__()
  self:updateValids()
  local str = { "ConfusionMatrix:\n" }
  local nclasses = self.nclasses
  tinsert(str, "[")
  local maxCnt = self.mat:max()
  local nDigits = mmax(8, 1 + ceil(log10(maxCnt)))
  local cell = "%" .. nDigits .. "d"
  local named = self.classes and self.classes[1]
  for t = 1, nclasses do
    local pclass = format("%2.3f", self.valids[t] * 100)
    tinsert(str, t == 1 and "[" or " [")
    local row = self.mat[t]
    for p = 1, nclasses do
      tinsert(str, format(cell, row[p]))
    end
    local close = (t == nclasses) and "]]  " or "]   "
    if named then
      tinsert(str, close .. pclass .. "% \t[class: " .. (self.classes[t] or "") .. "]\n")
    else
      tinsert(str, close .. pclass .. "% \n")
    end
  end
  tinsert(str, " + average row correct: " .. (self.averageValid * 100) .. "% \n")
  tinsert(str, " + average rowUcol correct (VOC measure): " .. (self.averageUnionValid * 100) .. "% \n")
  tinsert(str, " + global correct: " .. (self.totalValid * 100) .. "%")
  return concat(str)
end

-- Torch7 draws the matrix with the image and qtwidget packages, which this runtime lacks.
function ConfusionMatrix:render()
  error("ConfusionMatrix.render: needs the image and qtwidget packages, which this runtime does not provide", 2)
end

return ConfusionMatrix
