// The pool of recycled small tensors: a Double/Float CPU tensor that the GC drops while
// nothing else refers to it (lt_pool_give) is kept whole (TensorImpl, storage, data) and
// handed to the next new tensor of the same byte size and type (lt_pool_take, from
// small_ops.cpp). A new 8x8 result then costs no malloc, and the memory it gets was in
// use moments ago.
#include "lt_tensor.h"

#include <c10/core/CPUAllocator.h>

#include <unordered_map>
#include <vector>

namespace {

constexpr int64_t MAX_ELEMENTS = 4096;  // small_ops.cpp's SMALL_ELEMENTS

bool is_plain_small(const at::Tensor& t) {
  if (!t.defined() || !t.device().is_cpu() || t.layout() != at::kStrided) return false;
  auto st = t.scalar_type();
  return (st == at::kDouble || st == at::kFloat) && !t.is_neg() && !t.is_conj() && t.is_contiguous() &&
         t.numel() <= MAX_ELEMENTS;
}

// By (byte size, dtype). Bounded in bytes; never destroyed, so no ATen object outlives
// ATen at exit.
constexpr size_t POOL_BYTES = 8 << 20;
struct Pool {
  std::unordered_map<uint64_t, std::vector<at::Tensor>> free;
  size_t bytes = 0;
};
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}
uint64_t pool_key(size_t nbytes, at::ScalarType st) { return ((uint64_t)nbytes << 8) | (uint64_t)st; }

}  // namespace

at::Tensor lt_pool_take(size_t nbytes, at::ScalarType dtype) {
  Pool& p = pool();
  auto it = p.free.find(pool_key(nbytes, dtype));
  if (it == p.free.end() || it->second.empty()) return at::Tensor();
  at::Tensor r = std::move(it->second.back());
  it->second.pop_back();
  p.bytes -= nbytes;
  return r;
}

// Only a plain tensor qualifies: no other reference to it or its storage (so no view and
// no message or numpy array sharing its memory), offset 0, storage exactly its size and
// from the CPU allocator (not external memory), small, Double/Float.
bool lt_pool_give(at::Tensor& t) {
  try {
    if (!is_plain_small(t) || t.use_count() != 1 || t.weak_use_count() != 1) return false;
    if (t.storage_offset() != 0) return false;
    const c10::Storage& st = t.storage();
    size_t nbytes = st.nbytes();
    if (st.use_count() != 1 || !st.resizable() || st.allocator() != c10::GetCPUAllocator()) return false;
    if (nbytes == 0 || nbytes != (size_t)t.nbytes()) return false;
    Pool& p = pool();
    if (p.bytes + nbytes > POOL_BYTES) return false;
    p.free[pool_key(nbytes, t.scalar_type())].push_back(std::move(t));
    p.bytes += nbytes;
    return true;
  } catch (...) {
    return false;
  }
}

