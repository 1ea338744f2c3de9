-- nn.tables: connection tables for the *Map convolutions: each row {inputPlane, outputPlane}
-- is one connection (a kernel).
local torch = require "torch"
nn = nn or {}  -- luacheck: ignore
local tables = {}
nn.tables = tables

-- every input plane to every output plane, input plane varying fastest
function tables.full(nin, nout)
  local ft = torch.Tensor(nin * nout, 2)
  local p = 1
  for j = 1, nout do
    for i = 1, nin do
      ft[p][1], ft[p][2] = i, j
      p = p + 1
    end
  end
  return ft
end

-- plane i to plane i
function tables.oneToOne(nfeat)
  local ft = torch.Tensor(nfeat, 2)
  for i = 1, nfeat do ft[i][1], ft[i][2] = i, i end
  return ft
end

-- each output plane gets nto input planes, chosen so that every input plane is used about
-- equally: the planes are dealt out from successive random permutations (torch.randperm,
-- drawn from Torch7's generator in Torch7's order)
function tables.random(nin, nout, nto)
  local nker = nto * nout
  local tbl = torch.Tensor(nker, 2)
  local fi = torch.randperm(nin)
  local frcntr = 1
  local nfi = math.floor(nin / nto)  -- number of distinct nto-chunks in one permutation
  local totbl = tbl:select(2, 2)
  local frtbl = tbl:select(2, 1)
  local fitbl = fi:narrow(1, 1, nfi * nto)
  local ufrtbl = frtbl:unfold(1, nto, nto)
  local utotbl = totbl:unfold(1, nto, nto)
  local ufitbl = fitbl:unfold(1, nto, nto)
  -- output plane j takes chunk frcntr of the current permutation
  for i = 1, nout do
    utotbl:select(1, i):fill(i)
    ufrtbl:select(1, i):copy(ufitbl:select(1, frcntr))
    frcntr = frcntr + 1
    if frcntr - 1 == nfi then
      fi = torch.randperm(nin)
      fitbl = fi:narrow(1, 1, nfi * nto)
      ufitbl = fitbl:unfold(1, nto, nto)
      frcntr = 1
    end
  end
  return tbl
end

return tables
