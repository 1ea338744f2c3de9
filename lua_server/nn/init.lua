-- require 'nn': Torch7's neural network package, one class per file. Only the load order.
require "torch"
nn = nn or {}  -- luacheck: ignore (Torch7 code expects the global)

require "nn.utils"
require "nn.Jacobian"
require "nn.Module"
require "nn.Container"
require "nn.Sequential"
require "nn.Linear"
require "nn.Sigmoid"
require "nn.Tanh"
require "nn.Threshold"
require "nn.ReLU"
require "nn.Criterion"
require "nn.MSECriterion"

return nn
