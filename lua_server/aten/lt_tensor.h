// The handle type every shim file shares: a tensor handle is a pointer to one at::Tensor.
// Handles come either from `new lt_tensor` (lt_tensor_free deletes them) or are the payload
// of a Lua tensor object (objects.cpp), which Lua's GC finalizes.
#pragma once
#include <ATen/ATen.h>

struct lt_tensor { at::Tensor t; };

// Keep a small tensor nobody else references for reuse by the next new tensor of its type
// and byte size (tensor_pool.cpp); true when taken (t is left undefined).
bool lt_pool_give(at::Tensor& t);
// A recycled tensor of that byte size and type (sizes to be set), or an undefined one.
at::Tensor lt_pool_take(size_t nbytes, at::ScalarType dtype);
