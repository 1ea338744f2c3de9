// Internals that lua_server/aten/blob.cpp and shared_memory.cpp share (not the C ABI).
#pragma once
#include "lt_tensor.h"

namespace lt_blob {

// The owner of memory ATen did not allocate: release(owner), then free(owner), run when
// ATen lets the memory go.
struct ForeignOwner {
  int (*release)(void*);
  void* owner;
};

void release_foreign(void* p);

// The owner given to lt_tensor_from_blob for t's memory, when t's storage is such memory
// and `release` releases it; else null.
void* foreign_owner(const at::Tensor& t, int (*release)(void*));

// Whether t's memory is a client's shared memory (shared_memory.cpp).
bool is_shared_memory(const at::Tensor& t);

}  // namespace lt_blob

extern "C" lt_tensor* lt_tensor_from_blob(void* data, const int64_t* sizes, int ndim, int dtype,
                                          int (*release)(void*), void* owner);
