-- nn.SpatialFullConvolutionMap(connTable, kW, kH [, dW=1, dH=1]): the full (transposed)
-- convolution with a connection table, as SpatialConvolutionMap: kernel weight[k] spreads
-- input plane connTable[k][1] into output plane connTable[k][2]; output size (in − 1)·d + k.
local torch = require "torch"

local SpatialFullConvolutionMap, parent = torch.class("nn.SpatialFullConvolutionMap", "nn.Module")

require "nn.connection_conv"(SpatialFullConvolutionMap, parent, true)

return SpatialFullConvolutionMap
