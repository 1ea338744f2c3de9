-- nn.SpatialConvolutionMap(connTable, kW, kH [, dW=1, dH=1]): a convolution with a sparse
-- connection table: row k of the n×2 connTable says kernel weight[k] (kH×kW) links input
-- plane connTable[k][1] to output plane connTable[k][2] (nn.tables.full / oneToOne /
-- random build such tables). bias has one entry per output plane.
local torch = require "torch"

local SpatialConvolutionMap, parent = torch.class("nn.SpatialConvolutionMap", "nn.Module")

require "nn.connection_conv"(SpatialConvolutionMap, parent, false)

return SpatialConvolutionMap
