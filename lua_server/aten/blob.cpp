// Tensors and foreign memory without copies (issue 10, bulk data):
//  - a tensor whose storage is memory someone else allocated (a received ZeroMQ frame, a
//    shared-memory mapping), released by a C function when ATen lets it go;
//  - a tensor lent to ZeroMQ for sending (zmq_msg_init_data), kept alive until ZeroMQ's I/O
//    thread is done with its bytes, and detached from the Lua-visible tensor if Lua code
//    could write to it before that.
// Nothing here touches Lua: the release functions run on whatever thread drops the memory.
#include <ATen/ATen.h>
#include <c10/core/CPUAllocator.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

// The same definition as shim.cpp's (one type across the library).
struct lt_tensor { at::Tensor t; };

namespace {

struct ForeignOwner {
  int (*release)(void*);
  void* owner;
};

void release_foreign(void* p) {
  auto* o = static_cast<ForeignOwner*>(p);
  if (o->release) o->release(o->owner);
  std::free(o->owner);
  delete o;
}

// A client's shared memory (a sealed memfd) mapped whole. The server keeps its own file
// descriptor open while the mapping lives, so that a reply can name the memory
// (/proc/<server pid>/fd/<fd>, and its inode against fd reuse) for the client to map.
struct SharedMapping {
  void* base;
  size_t length;
  int fd;
  uint64_t inode;
};

int unmap_shared(void* p) {
  auto* m = static_cast<SharedMapping*>(p);
  close(m->fd);
  return munmap(m->base, m->length);
}

// Opens path (a /proc/<pid>/fd/<fd> link) only when it leads to a regular file: opening a
// device or a FIFO a client named could block the server or have effects. -2 when it is
// not regular, -1 with errno when it cannot be opened.
int open_regular(const char* path, int mode) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  if (!S_ISREG(st.st_mode)) return -2;
  return open(path, mode | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

// The SharedMapping behind a storage, or null when its memory is anything else.
const SharedMapping* mapping_of(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return nullptr;
  const c10::DataPtr& dp = t.storage().data_ptr();
  if (dp.get_deleter() != &release_foreign) return nullptr;
  auto* o = static_cast<ForeignOwner*>(dp.get_context());
  if (o->release != &unmap_shared) return nullptr;
  return static_cast<const SharedMapping*>(o->owner);
}

}  // namespace

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

// A tensor over client process `pid`'s shared memory, its file descriptor `fd`: opened as
// /proc/pid/fd/fd, it must be the memfd of inode `inode` (not a file that reused the fd
// number), sealed against shrinking (so no later ftruncate can make the mapping fault), at
// least offset + the tensor's bytes long, offset aligned for the dtype. The whole memfd is
// mapped; the mapping goes when ATen lets the memory go. NULL on failure, the reason in err.
lt_tensor* lt_tensor_from_shared(int pid, int fd, uint64_t inode, int64_t offset,
                                 const int64_t* sizes, int ndim, int dtype, char* err, int errlen) {
  auto type = (c10::ScalarType)dtype;
  int64_t itemsize = (int64_t)c10::elementSize(type);
  int64_t nbytes = itemsize;
  for (int i = 0; i < ndim; i++) nbytes *= sizes[i];
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
  if (offset < 0 || offset % itemsize != 0) {
    std::snprintf(err, errlen, "offset %lld is not a multiple of %lld bytes", (long long)offset,
                  (long long)itemsize);
    return nullptr;
  }
  int f = open_regular(path, O_RDWR);
  if (f < 0) {
    std::snprintf(err, errlen, "cannot open %s: %s", path,
                  f == -2 ? "not a memory file" : std::strerror(errno));
    return nullptr;
  }
  struct stat st;
  const char* problem = nullptr;
  if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) problem = "is not a memory file";
  else if ((uint64_t)st.st_ino != inode) problem = "is another file than the one named (its inode differs)";
  else if (int seals = fcntl(f, F_GET_SEALS); seals < 0 || !(seals & F_SEAL_SHRINK))
    problem = "is not a memfd sealed against shrinking";
  else if (st.st_size <= 0 || offset + nbytes > (int64_t)st.st_size) problem = "is smaller than the tensor";
  if (problem) {
    close(f);
    std::snprintf(err, errlen, "%s %s (%lld bytes; the tensor needs %lld from offset %lld)", path,
                  problem, (long long)st.st_size, (long long)nbytes, (long long)offset);
    return nullptr;
  }
  void* base = mmap(nullptr, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  if (base == MAP_FAILED) {
    std::snprintf(err, errlen, "cannot map %s: %s", path, std::strerror(errno));
    close(f);
    return nullptr;
  }
  auto* m = static_cast<SharedMapping*>(std::malloc(sizeof(SharedMapping)));
  if (!m) {
    munmap(base, (size_t)st.st_size);
    close(f);
    std::snprintf(err, errlen, "out of memory");
    return nullptr;
  }
  *m = SharedMapping{base, (size_t)st.st_size, f, (uint64_t)st.st_ino};
  lt_tensor* r = lt_tensor_from_blob(static_cast<char*>(base) + offset, sizes, ndim, dtype,
                                     &unmap_shared, m);
  if (!r) std::snprintf(err, errlen, "cannot wrap shared memory as a tensor");
  return r;
}

// The first n bytes of the regular file /proc/pid/fd/fd into out (the shared-memory
// handshake's probe); how many were read, or -1.
int lt_read_probe(int pid, int fd, char* out, int n) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
  int f = open_regular(path, O_RDONLY);
  if (f < 0) return -1;
  ssize_t got = pread(f, out, (size_t)n, 0);
  close(f);
  return (int)got;
}

// When t is contiguous and its memory is still shared memory (not reallocated by a resize
// since): 1, with the server's fd of it, its inode and t's byte offset in it; else 0.
int lt_tensor_shared_origin(lt_tensor* t, int* fd, uint64_t* inode, int64_t* offset) {
  const SharedMapping* m = mapping_of(t->t);
  if (!m || !t->t.is_contiguous()) return 0;
  *fd = m->fd;
  *inode = m->inode;
  *offset = static_cast<const char*>(t->t.const_data_ptr()) - static_cast<const char*>(m->base);
  return 1;
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
    if (c.has_storage() && (size < c.storage().nbytes() / 2 || mapping_of(c))) c = c.clone();
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
