// A client's shared memory as tensor storage (issue 10; bridge/PROTOCOL.md §5.4): a sealed
// memfd of a process on this machine, opened through /proc/<pid>/fd/<fd>, checked, mapped
// whole and wrapped with lt_tensor_from_blob; the handshake's probe read; and the origin
// of such a tensor, which a reply names.
#include "blob.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace {

// A client's shared memory (a sealed memfd) mapped whole, once for all the tensors over it
// (a loop passing one array maps it once, and holds one descriptor). The server keeps its
// own file descriptor open while the mapping lives, so that a reply can name the memory
// (/proc/<server pid>/fd/<fd>, and its inode against fd reuse) for the client to map.
struct SharedMapping {
  void* base;
  size_t length;
  int fd;
  uint64_t inode;
  int tensors;  // storages over it; guarded by mappings_mutex
};

// The live mappings by inode. Storages may be let go on any thread.
std::mutex mappings_mutex;
std::unordered_map<uint64_t, SharedMapping*> mappings;

// The owner handed to lt_tensor_from_blob: one storage's use of a mapping.
struct SharedUse {
  SharedMapping* mapping;
};

int release_use(void* p) {
  SharedMapping* m = static_cast<SharedUse*>(p)->mapping;
  {
    std::lock_guard<std::mutex> lock(mappings_mutex);
    if (--m->tensors > 0) return 0;
    auto it = mappings.find(m->inode);
    if (it != mappings.end() && it->second == m) mappings.erase(it);
  }
  close(m->fd);
  munmap(m->base, m->length);
  delete m;
  return 0;
}

// The mapping of the memfd open as f (inode, size as fstat said) for a tensor ending at
// byte `end`, one more tensor counted; f is kept by a new mapping or closed. Null on
// failure (f closed, errno set).
SharedMapping* use_mapping(int f, uint64_t inode, size_t size, size_t end) {
  std::lock_guard<std::mutex> lock(mappings_mutex);
  auto it = mappings.find(inode);
  if (it != mappings.end() && it->second->length >= end) {
    close(f);
    it->second->tensors++;
    return it->second;
  }
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  if (base == MAP_FAILED) {
    int e = errno;
    close(f);
    errno = e;
    return nullptr;
  }
  auto* m = new SharedMapping{base, size, f, inode, 1};
  mappings[inode] = m;  // a smaller, older mapping lives on for its own tensors
  return m;
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
  auto* use = static_cast<const SharedUse*>(lt_blob::foreign_owner(t, &release_use));
  return use ? use->mapping : nullptr;
}

}  // namespace

bool lt_blob::is_shared_memory(const at::Tensor& t) { return mapping_of(t) != nullptr; }

extern "C" {

// A tensor over client process `pid`'s shared memory, its file descriptor `fd`: opened as
// /proc/pid/fd/fd, it must be the memfd of inode `inode` (not a file that reused the fd
// number), sealed against shrinking (so no later ftruncate can make the mapping fault), at
// least offset + the tensor's bytes long, offset aligned for the dtype. The whole memfd is
// mapped (or its mapping reused); the mapping goes when ATen lets go of the last tensor
// over it. NULL on failure, the reason in err.
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
  SharedMapping* m = use_mapping(f, (uint64_t)st.st_ino, (size_t)st.st_size, (size_t)(offset + nbytes));
  if (!m) {
    std::snprintf(err, errlen, "cannot map %s: %s", path, std::strerror(errno));
    return nullptr;
  }
  auto* use = static_cast<SharedUse*>(std::malloc(sizeof(SharedUse)));
  if (!use) {
    SharedUse unused{m};
    release_use(&unused);
    std::snprintf(err, errlen, "out of memory");
    return nullptr;
  }
  use->mapping = m;
  lt_tensor* r = lt_tensor_from_blob(static_cast<char*>(m->base) + offset, sizes, ndim, dtype,
                                     &release_use, use);
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

}  // extern "C"
