-- optim.cmaes(opfunc, x [, config] [, state]) -> best x (flat), {f(x), best f per
-- generation..., best f}, number of evaluations
-- CMA-ES as Torch7's optim ported it from Hansen's barecmaes2: lambda candidates
-- m + sigma * B * D * N(0, I) a generation (normal draws from torch's generator), the best
-- floor(lambda/2) recombined with log weights, cumulation paths pc/ps, rank-one and rank-mu
-- covariance updates, step-size control; stops on maxEval, ftarget, condition > 1e7, a flat
-- generation (tolfun 1e-12) or sigma*max(D) < 1e-11, after at least min_iterations.
-- state (defaults to config): sigma (required), maxEval (1e3*N^2), ftarget, popsize
-- (4 + floor(3 log N)), verb_disp (0: quiet; n: a line every n generations), min_iterations.
local torch = require "torch"
local aten = require "aten"
local core = require "torch.core"
local optim = require "optim.env"

-- eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, as symeig(C,'V')
local function symeig(C)
  local values, vectors = aten.call("linalg_eigh", C._h, "U")
  return core.wrap(values), core.wrap(vectors)
end

function optim.cmaes(opfunc, x, config, state)
  config = config or {}
  state = state or config
  local xmean = torch.DoubleTensor(x:clone():double():storage())  -- flat copy of x
  local N = xmean:size(1)
  local sigma = state.sigma
  if type(sigma) ~= "number" then error("optim.cmaes: state.sigma (the initial step size) is required", 2) end
  local ftarget = state.ftarget
  local maxEval = tonumber(state.maxEval) or 1e3 * N ^ 2
  local verb_disp = state.verb_disp or 0
  local min_iterations = state.min_iterations or 1

  local lambda = state.popsize or 4 + math.floor(3 * math.log(N))
  local mu = lambda / 2
  local nmu = math.floor(mu)   -- Torch7 indexes with mu itself, which truncates
  local weights = torch.DoubleTensor(nmu)
  for i = 1, nmu do weights[i] = math.log(mu + 0.5) - math.log(i) end
  weights:div(weights:sum())
  local mueff = weights:sum() ^ 2 / torch.pow(weights, 2):sum()

  local cc = (4 + mueff / N) / (N + 4 + 2 * mueff / N)
  local cs = (mueff + 2) / (N + mueff + 5)
  local c1 = 2 / ((N + 1.3) ^ 2 + mueff)
  local cmu = math.min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((N + 2) ^ 2 + mueff))
  local damps = 2 * mueff / lambda + 0.3 + cs

  local pc = torch.DoubleTensor(N):zero()
  local ps = torch.DoubleTensor(N):zero()
  local B = torch.eye(N):double()
  local D = torch.DoubleTensor(N):fill(1)
  local C = torch.eye(N):double()
  local invsqrtC = torch.eye(N):double()
  local eigeneval, counteval = 0, 0
  local f_hist = { (opfunc(x)) }
  local fitvals = torch.DoubleTensor(lambda)
  local best = { evals = counteval }
  local iteration = 0

  local function ask()
    if counteval - eigeneval > lambda / (c1 + cmu) / C:size(1) / 10 then
      eigeneval = counteval
      C = torch.triu(C) + torch.triu(C, 1):t()  -- enforce symmetry
      D, B = symeig(C)
      D = torch.sqrt(D)
      invsqrtC = B * torch.diag(torch.pow(D, -1)) * B:t()
    end
    local res = torch.DoubleTensor(lambda, D:size(1))
    for k = 1, lambda do
      local z = D:clone():normal(0, 1):cmul(D)
      res[k]:copy(torch.add(xmean, (B * z) * sigma))
    end
    return res
  end

  local function tell(arx)
    counteval = counteval + lambda
    local xold = xmean:clone()
    local arindex
    fitvals, arindex = torch.sort(fitvals)
    arx = arx:index(1, arindex:narrow(1, 1, nmu))
    f_hist[#f_hist + 1] = fitvals[1]
    if best.f == nil or fitvals[1] < best.f then
      best.x, best.f, best.evals = arx[1]:clone(), fitvals[1], counteval
    end
    xmean:zero()
    xmean:addmv(arx:t(), weights)

    local y = xmean - xold
    local z = invsqrtC * y
    local c = (cs * (2 - cs) * mueff) ^ 0.5 / sigma
    ps = ps - ps * cs + z * c
    local hsig = torch.sum(torch.pow(ps, 2)) / (1 - (1 - cs) ^ (2 * counteval / lambda)) / N < 2 + 4 / (N + 1)
    hsig = hsig and 1.0 or 0.0
    c = (cc * (2 - cc) * mueff) ^ 0.5 / sigma
    pc = pc - pc * cc + y * c * hsig

    local c1a = c1 - (1 - hsig ^ 2) * c1 * cc * (2 - cc)
    for i = 1, N do
      for j = 1, N do
        local Cmuij = 0
        for k = 1, nmu do
          Cmuij = Cmuij + weights[k] * (arx[k][i] - xold[i]) * (arx[k][j] - xold[j])
        end
        Cmuij = Cmuij / sigma ^ 2
        C[i][j] = C[i][j] + ((-c1a - cmu) * C[i][j] + c1 * pc[i] * pc[j] + cmu * Cmuij)
      end
    end
    sigma = sigma * math.exp(math.min(0.6, (cs / damps) * (torch.sum(torch.pow(ps, 2)) / N - 1) / 2))
  end

  local function stop()
    local res = {}
    if counteval > 0 then
      if counteval >= maxEval then res.evals = maxEval end
      if ftarget ~= nil and fitvals:nElement() > 0 and fitvals[1] <= ftarget then res.ftarget = ftarget end
      if torch.max(D) > 1e7 * torch.min(D) then res.condition = 1e7 end
      if fitvals:nElement() > 1 and fitvals[fitvals:nElement()] - fitvals[1] < 1e-12 then res.tolfun = 1e-12 end
      if sigma * torch.max(D) < 1e-11 then res.tolx = 1e-11 end
    end
    return res
  end

  local function disp()
    if verb_disp == 0 then return end
    local generation = counteval / lambda
    if generation == 1 or generation % (10 * verb_disp) == 0 then
      print("evals:\t ax-ratio max(std)   f-value")
    end
    if generation <= 2 or generation % verb_disp == 0 then
      local max_std = math.sqrt(torch.max(torch.diag(C)))
      print(tostring(counteval) .. ": " ..
        string.format(" %6.1f %8.1e ", torch.max(D) / torch.min(D), sigma * max_std) .. tostring(fitvals[1]))
    end
  end

  while next(stop()) == nil or iteration < min_iterations do
    iteration = iteration + 1
    local X = ask()
    for i = 1, lambda do
      local candidate = torch.DoubleTensor(X[i]:clone():storage(), 1, x:size()):typeAs(x)
      fitvals[i] = opfunc(candidate)
    end
    tell(X)
    disp()
  end

  if verb_disp > 0 then
    for k, v in pairs(stop()) do print("termination by", k, "=", v) end
    print("best f-value =", best.f)
    print("solution = ")
    print(best.x)
    print("best found at iteration: ", best.evals / lambda, " , total iterations: ", iteration)
  end
  f_hist[#f_hist + 1] = best.f
  return best.x, f_hist, counteval
end

return optim.cmaes
