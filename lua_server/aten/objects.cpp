// Tensor and storage objects as Lua userdata whose payload is the at::Tensor itself.
//
// A new tensor used to cost a newproxy, a weak-table entry, an FFI cdata with an ffi.gc
// finalizer and a heap lt_tensor: about 1.2 us of allocation and GC work around a 0.1 us
// kernel. Now it is one userdata (lt_lua_new_object) and one C finalizer (lt_lua_free_object).
// LuaJIT's FFI passes a userdata to a pointer parameter as the address of its payload, so
// the object is its own handle: `t._h == t`, and every lt_* function takes it as is.
//
// These two are lua_CFunctions (reached with package.loadlib), the only part of the shim
// that touches the Lua C API. LuaJIT's executable exports that API; the symbols are weak
// so the library still loads in a process without it (which never calls these two).
#include "lt_tensor.h"

#include <cstddef>
#include <new>

extern "C" {

struct lua_State;
void* lua_newuserdata(lua_State* L, size_t size) __attribute__((weak));
void* lua_touserdata(lua_State* L, int index) __attribute__((weak));
size_t lua_objlen(lua_State* L, int index) __attribute__((weak));
void lua_pushvalue(lua_State* L, int index) __attribute__((weak));
int lua_setmetatable(lua_State* L, int index) __attribute__((weak));

// new_object(metatable) -> a userdata holding an undefined at::Tensor, with that metatable
int lt_lua_new_object(lua_State* L) {
  void* payload = lua_newuserdata(L, sizeof(lt_tensor));
  new (payload) lt_tensor();
  lua_pushvalue(L, 1);
  lua_setmetatable(L, -2);
  return 1;
}

// __gc of every tensor and storage class. The class's newproxy prototype shares the
// metatable but has no payload, hence the size check. The tensor is reset, not destroyed,
// so an object a finalizer resurrects (or a second __gc call) holds an undefined tensor
// instead of freed memory.
int lt_lua_free_object(lua_State* L) {
  void* payload = lua_touserdata(L, 1);
  if (payload != nullptr && lua_objlen(L, 1) == sizeof(lt_tensor)) {
    at::Tensor& t = static_cast<lt_tensor*>(payload)->t;
    if (!lt_pool_give(t)) t.reset();
  }
  return 0;
}

// Make an object refer to the tensor of a heap handle or of another object: one
// TensorImpl, as two Lua objects sharing a handle did before.
void lt_object_share(lt_tensor* object, lt_tensor* other) { object->t = other->t; }

}  // extern "C"
