-- require 'optim': Torch7's optimization package, one method per file. Only the load order.
require "torch"
local optim = require "optim.env"

-- optimizations
require "optim.sgd"
require "optim.cg"
require "optim.asgd"
require "optim.nag"
require "optim.lbfgs"
require "optim.adagrad"
require "optim.adam"
require "optim.adamax"
require "optim.rmsprop"
require "optim.adadelta"
require "optim.rprop"
require "optim.cmaes"
require "optim.de"
require "optim.FistaLS"

-- line search functions
require "optim.lswolfe"

-- helpers
require "optim.polyinterp"
require "optim.checkgrad"

-- tools
require "optim.ConfusionMatrix"
require "optim.Logger"

return optim
