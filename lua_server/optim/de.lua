-- optim.de(opfunc, x [, config]) -> best x, fx (every function value, in evaluation order)
-- Differential evolution (DE/best/1/bin) as Torch7's optim ran it: a population of popsize
-- (10 * dim) points drawn uniformly in [minRegion (-30), maxRegion (30)]; each child takes
-- best + scaleFactor * (pop[r1] - pop[r2]) in the coordinates chosen with crossoverRate (and
-- one forced coordinate) and replaces its parent when no worse, until maxFEs evaluations.
-- Torch7 drew from a private generator seeded with 1, so runs are repeatable; so are ours,
-- with the same draws (the runtime's MT19937 port), hence the same numbers as Torch7.
-- Note Torch7's choice kept here: the starting best is the population's *largest* value.
local torch = require "torch"
local random = require "torch.random"
local optim = require "optim.env"

function optim.de(opfunc, x, config)
  config = config or {}
  local scaleFactor = config.scaleFactor
  local crossoverRate = config.crossoverRate
  local maxFEs = tonumber(config.maxFEs)
  if not (scaleFactor and crossoverRate and maxFEs) then
    error("optim.de: config needs scaleFactor, crossoverRate and maxFEs", 2)
  end
  local maxRegion = config.maxRegion or 30
  local minRegion = config.minRegion or -30
  local D = x:nElement()
  local popsize = config.popsize or 10 * D

  local fx = x.new(maxFEs)
  local pop = x.new(popsize, D)
  local children = x.new(popsize, D)
  local fitness = x.new(popsize)
  local children_fitness = x.new(popsize)
  local best_solution = x.new(D)
  local fes = 1

  local gen = random.Generator()
  gen:manualSeed(1)
  for i = 1, popsize do             -- pop:uniform(gen, min, max), in storage order
    for j = 1, D do pop[i][j] = gen:uniform(minRegion, maxRegion) end
  end
  for i = 1, popsize do
    fitness[i] = opfunc(pop[i])
    fx[fes] = fitness[i]
    fes = fes + 1
  end

  local best_values, best_index = fitness:max(1)
  local best_fitness = best_values[1]
  best_solution:copy(pop[best_index[1]])

  while fes < maxFEs do
    for i = 1, popsize do
      local r1, r2
      repeat r1 = gen:random(1, popsize) until r1 ~= i
      repeat r2 = gen:random(1, popsize) until r2 ~= r1 and r2 ~= i
      local jrand = gen:random(1, D)
      for j = 1, D do
        if gen:uniform(0, 1) < crossoverRate or i == jrand then
          children[i][j] = best_solution[j] + scaleFactor * (pop[r1][j] - pop[r2][j])
        else
          children[i][j] = pop[i][j]
        end
      end
      children_fitness[i] = opfunc(children[i])
      fx[fes] = children_fitness[i]
      fes = fes + 1
    end
    for i = 1, popsize do
      if children_fitness[i] <= fitness[i] then
        pop[i]:copy(children[i])
        fitness[i] = children_fitness[i]
        if fitness[i] < best_fitness then
          best_fitness = fitness[i]
          best_solution:copy(children[i])
        end
      end
    end
  end
  return best_solution, fx
end

return optim.de
