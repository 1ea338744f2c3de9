// Tensors and foreign memory without copies (issue 10, bulk data):
//  - a tensor whose storage is memory someone else allocated (a received ZeroMQ frame, a
//    shared-memory mapping: shared_memory.cpp), released by a C function when ATen lets it go;
//  - a tensor lent to ZeroMQ for sending (zmq_msg_init_data), kept alive until ZeroMQ's I/O
//    thread is done with its bytes, and detached from the Lua-visible tensor if Lua code
//    could write to it before that.
// Nothing here touches Lua: the release functions run on whatever thread drops the memory.
#include "blob.h"

#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace lt_blob {

void release_foreign(void* p) {
  auto* o = static_cast<ForeignOwner*>(p);
  if (o->release) o->release(o->owner);
  std::free(o->owner);
  delete o;
}

void* foreign_owner(const at::Tensor& t, int (*release)(void*)) {
  if (!t.defined() || !t.has_storage()) return nullptr;
  const c10::DataPtr& dp = t.storage().data_ptr();
  if (dp.get_deleter() != &release_foreign) return nullptr;
  auto* o = static_cast<ForeignOwner*>(dp.get_context());
  return o->release == release ? o->owner : nullptr;
}

}  // namespace lt_blob

using lt_blob::ForeignOwner;
using lt_blob::release_foreign;

// A tensor being sent: ZeroMQ holds one share (until its free function runs), the Lua
// server the other (until lt_send_hold_settle). `detached` keeps the sent bytes once the
// Lua-visible storage got a copy of its own.
struct lt_send_hold {
  std::mutex m;
  int shares = 2;
  bool sent = false;
  at::Tensor t;
  c10::DataPtr detached;
};

namespace {

void drop_share(lt_send_hold* h) {
  bool last;
  {
    std::lock_guard<std::mutex> lock(h->m);
    last = --h->shares == 0;
  }
  if (last) delete h;
}

}  // namespace

extern "C" {

// A contiguous CPU tensor of `dtype` and `sizes` over [data, data + its bytes), which
// `owner` (memory from malloc) keeps valid: when ATen drops the memory, release(owner)
// runs, then free(owner). The storage is resizable: growing it moves the data into memory
// of ATen's own allocator (and releases the owner), so nothing writes past the blob.
// On failure returns NULL with the owner already released.
lt_tensor* lt_tensor_from_blob(void* data, const int64_t* sizes, int ndim, int dtype,
                               int (*release)(void*), void* owner) {
  auto* o = new (std::nothrow) ForeignOwner{release, owner};
  if (!o) {
    if (release) release(owner);
    std::free(owner);
    return nullptr;
  }
  try {
    auto type = (c10::ScalarType)dtype;
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) numel *= sizes[i];
    size_t nbytes = (size_t)numel * c10::elementSize(type);
    c10::DataPtr ptr(data, o, &release_foreign, c10::Device(c10::kCPU));
    c10::Storage storage(c10::Storage::use_byte_size_t(), nbytes, std::move(ptr),
                         c10::GetCPUAllocator(), /*resizable=*/true);
    at::Tensor t = at::empty({0}, at::TensorOptions().dtype(type));
    t.set_(storage, 0, c10::IntArrayRef(sizes, ndim));
    return new lt_tensor{std::move(t)};
  } catch (...) {
    return nullptr;  // the DataPtr, once made, released the owner on unwinding
  }
}

// Lend t's bytes (contiguous, on the CPU: converted first when needed) to ZeroMQ. *data and
// *nbytes say what to send; pass lt_send_hold_release as the free function, the hold as its
// hint. A view of a small part of a large storage is cloned: detaching it later would copy
// the whole storage. NULL when the conversion fails.
lt_send_hold* lt_send_hold_new(lt_tensor* t, void** data, int64_t* nbytes) {
  try {
    at::Tensor c = t->t.device().is_cpu() ? t->t : t->t.to(at::kCPU);
    c = c.contiguous();
    size_t size = c.nbytes();
    // a small part of a big storage, or a client's shared memory (detaching that would
    // end the sharing): a copy of its own
    if (c.has_storage() && (size < c.storage().nbytes() / 2 || lt_blob::is_shared_memory(c))) c = c.clone();
    auto* h = new lt_send_hold();
    h->t = std::move(c);
    *data = h->t.data_ptr();
    *nbytes = (int64_t)size;
    return h;
  } catch (...) {
    return nullptr;
  }
}

// ZeroMQ's free function (zmq_free_fn): the message is sent (or dropped).
void lt_send_hold_release(void* data, void* hint) {
  (void)data;
  auto* h = static_cast<lt_send_hold*>(hint);
  {
    std::lock_guard<std::mutex> lock(h->m);
    h->sent = true;
  }
  drop_share(h);
}

// Called by the server before Lua code runs again: if ZeroMQ still has not sent the bytes
// and anything else refers to the tensor (so Lua could write to it), the tensor's storage
// gets a copy of its own and the queued message keeps the old memory. Then the server's
// share is dropped. Returns 1 when it copied, 0 when it did not need to, -1 when the copy
// failed (out of memory: the message may then carry later writes).
int lt_send_hold_settle(lt_send_hold* h) {
  int result = 0;
  {
    std::lock_guard<std::mutex> lock(h->m);
    if (!h->sent && h->t.defined()) {
      at::Tensor& t = h->t;
      bool shared = t.use_count() > 1 || (t.has_storage() && t.storage().use_count() > 1);
      if (shared) {
        try {
          c10::Storage st = t.storage();
          size_t n = st.nbytes();
          c10::Allocator* alloc = c10::GetCPUAllocator();
          c10::DataPtr fresh = alloc->allocate(n);
          if (n > 0) std::memcpy(fresh.get(), st.data(), n);
          h->detached = st.set_data_ptr(std::move(fresh));
          h->t.reset();
          result = 1;
        } catch (...) {
          result = -1;
        }
      }
    }
  }
  drop_share(h);
  return result;
}

}  // extern "C"
