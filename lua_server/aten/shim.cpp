// The C ABI through which LuaJIT reaches ATen: the boxed dispatcher (look an operator up
// once, push IValues, callBoxed, read the results) plus the few tensor accessors that must
// be cheap (sizes, strides, data pointer, storage identity). Everything else is Lua.
//
// Ownership: every lt_tensor* returned is a new heap at::Tensor that the caller frees with
// lt_tensor_free exactly once. Errors never cross the boundary as exceptions: a failing
// call returns an error code and the message waits in lt_last_error().
#include "lt_tensor.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <c10/util/Logging.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using c10::IValue;

struct lt_op {
  c10::OperatorHandle handle;
  std::string schema;
  std::vector<std::string> arg_names, arg_types;
};
struct lt_stack { std::vector<IValue> values; };

static thread_local std::string last_error;
static std::string warnings;

namespace {

// TORCH_WARN goes to the client instead of the server's stderr.
struct CollectingWarningHandler : c10::WarningHandler {
  void process(const c10::Warning& w) override {
    warnings += w.msg();
    warnings += '\n';
  }
};
CollectingWarningHandler collecting_handler;

template <class F>
int guarded(F&& f) {
  try {
    f();
    return 0;
  } catch (const c10::Error& e) {
    last_error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown C++ exception";
  }
  return -1;
}

lt_tensor* wrap(at::Tensor t) { return new lt_tensor{std::move(t)}; }

std::vector<int64_t> to_vec(const int64_t* p, int n) { return std::vector<int64_t>(p, p + n); }

// TH's sumall on contiguous data: one double accumulator, element by element
template <class T>
double sequential_sum(const at::Tensor& t) {
  const T* p = t.const_data_ptr<T>();
  double sum = 0;
  for (int64_t i = 0, n = t.numel(); i < n; i++) sum += p[i];
  return sum;
}

}  // namespace

extern "C" {

const char* lt_last_error(void) { return last_error.c_str(); }

// Called once at load. c10::Error normally records a C++ backtrace; glibc's backtrace()
// then unwinds into LuaJIT's JIT-compiled frames, which have no unwind tables, and aborts.
// Errors carry ATen's message without a C++ stack instead.
//
// Torch7 has no autograd: the whole runtime runs in inference mode (entered once here, on
// the thread that serves Lua, and never left), so every call skips the autograd layers.
void lt_install_warning_handler(void) {
  c10::WarningUtils::set_warning_handler(&collecting_handler);
  c10::SetStackTraceFetcher([]() -> std::string { return ""; });
  static c10::InferenceMode* no_autograd = new c10::InferenceMode();
  (void)no_autograd;
}

// Returns the collected warnings and clears them; the pointer is valid until the next call.
const char* lt_take_warnings(void) {
  static std::string taken;
  taken.swap(warnings);
  warnings.clear();
  return taken.c_str();
}

// ---- operators -------------------------------------------------------------------------

lt_op* lt_op_find(const char* name, const char* overload) {
  lt_op* op = nullptr;
  int rc = guarded([&] {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload);
    op = new lt_op{handle, "", {}, {}};
    std::ostringstream s;
    s << handle.schema();
    op->schema = s.str();
    for (const auto& a : handle.schema().arguments()) {
      op->arg_names.push_back(a.name());
      op->arg_types.push_back(a.type()->str());
    }
  });
  return rc == 0 ? op : nullptr;
}

const char* lt_op_schema(lt_op* op) { return op->schema.c_str(); }
int lt_op_nargs(lt_op* op) { return (int)op->arg_names.size(); }
const char* lt_op_arg_name(lt_op* op, int i) { return op->arg_names[i].c_str(); }
const char* lt_op_arg_type(lt_op* op, int i) { return op->arg_types[i].c_str(); }
int lt_op_arg_has_default(lt_op* op, int i) {
  return op->handle.schema().arguments()[i].default_value().has_value() ? 1 : 0;
}
int lt_op_arg_kwarg_only(lt_op* op, int i) {
  return op->handle.schema().arguments()[i].kwarg_only() ? 1 : 0;
}
int lt_op_nreturns(lt_op* op) { return (int)op->handle.schema().returns().size(); }

// ---- argument stack --------------------------------------------------------------------

lt_stack* lt_stack_new(void) { return new lt_stack(); }
void lt_stack_free(lt_stack* s) { delete s; }
void lt_stack_clear(lt_stack* s) { s->values.clear(); }
int lt_stack_size(lt_stack* s) { return (int)s->values.size(); }

void lt_push_none(lt_stack* s) { s->values.emplace_back(); }
void lt_push_tensor(lt_stack* s, lt_tensor* t) { s->values.emplace_back(t->t); }
void lt_push_int(lt_stack* s, int64_t v) { s->values.emplace_back(v); }
void lt_push_double(lt_stack* s, double v) { s->values.emplace_back(v); }
void lt_push_bool(lt_stack* s, int v) { s->values.emplace_back(v != 0); }
void lt_push_string(lt_stack* s, const char* v) { s->values.emplace_back(std::string(v)); }
void lt_push_device(lt_stack* s, int type, int index) {
  s->values.emplace_back(c10::Device((c10::DeviceType)type, (c10::DeviceIndex)index));
}
void lt_push_int_list(lt_stack* s, const int64_t* v, int n) {
  s->values.emplace_back(c10::List<int64_t>(to_vec(v, n)));
}
void lt_push_double_list(lt_stack* s, const double* v, int n) {
  s->values.emplace_back(c10::List<double>(std::vector<double>(v, v + n)));
}
void lt_push_bool_list(lt_stack* s, const int* v, int n) {
  c10::List<bool> l;
  for (int i = 0; i < n; i++) l.push_back(v[i] != 0);
  s->values.emplace_back(std::move(l));
}
void lt_push_tensor_list(lt_stack* s, lt_tensor** v, int n) {
  c10::List<at::Tensor> l;
  for (int i = 0; i < n; i++) l.push_back(v[i]->t);
  s->values.emplace_back(std::move(l));
}
// Tensor?[] (index.Tensor): a null entry means "whole dimension".
void lt_push_optional_tensor_list(lt_stack* s, lt_tensor** v, int n) {
  c10::List<std::optional<at::Tensor>> l;
  for (int i = 0; i < n; i++) l.push_back(v[i] ? std::optional<at::Tensor>(v[i]->t) : std::nullopt);
  s->values.emplace_back(std::move(l));
}
int lt_push_default(lt_stack* s, lt_op* op, int i) {
  const auto& d = op->handle.schema().arguments()[i].default_value();
  if (!d.has_value()) return -1;
  s->values.push_back(*d);
  return 0;
}

// ---- calling ---------------------------------------------------------------------------

int lt_call(lt_op* op, lt_stack* s) {
  return guarded([&] { op->handle.callBoxed(&s->values); });
}

// ---- results ---------------------------------------------------------------------------

enum { LT_NONE, LT_TENSOR, LT_INT, LT_DOUBLE, LT_BOOL, LT_TENSOR_LIST, LT_INT_LIST, LT_STRING, LT_OTHER };

int lt_stack_tag(lt_stack* s, int i) {
  const IValue& v = s->values[i];
  if (v.isNone()) return LT_NONE;
  if (v.isTensor()) return LT_TENSOR;
  if (v.isInt()) return LT_INT;
  if (v.isDouble()) return LT_DOUBLE;
  if (v.isBool()) return LT_BOOL;
  if (v.isTensorList()) return LT_TENSOR_LIST;
  if (v.isIntList()) return LT_INT_LIST;
  if (v.isString()) return LT_STRING;
  return LT_OTHER;
}
lt_tensor* lt_stack_tensor(lt_stack* s, int i) { return wrap(s->values[i].toTensor()); }
int64_t lt_stack_int(lt_stack* s, int i) { return s->values[i].toInt(); }
// LuaJIT reads NaN payloads as type tags: hand it only the quiet NaN (sign kept)
double lt_stack_double(lt_stack* s, int i) {
  double v = s->values[i].toDouble();
  return std::isnan(v) ? std::copysign(std::numeric_limits<double>::quiet_NaN(), v) : v;
}
int lt_stack_bool(lt_stack* s, int i) { return s->values[i].toBool() ? 1 : 0; }
int lt_stack_list_size(lt_stack* s, int i) {
  const IValue& v = s->values[i];
  return v.isTensorList() ? (int)v.toTensorList().size() : (int)v.toIntList().size();
}
lt_tensor* lt_stack_list_tensor(lt_stack* s, int i, int j) { return wrap(s->values[i].toTensorList().get(j)); }
int64_t lt_stack_list_int(lt_stack* s, int i, int j) { return s->values[i].toIntList().get(j); }
const char* lt_stack_string(lt_stack* s, int i) { return s->values[i].toStringRef().c_str(); }

// ---- tensors ---------------------------------------------------------------------------

void lt_tensor_free(lt_tensor* t) { delete t; }
lt_tensor* lt_tensor_alias(lt_tensor* t) { return wrap(t->t); }
int lt_tensor_defined(lt_tensor* t) { return t->t.defined() ? 1 : 0; }
int lt_tensor_dim(lt_tensor* t) { return (int)t->t.dim(); }
int64_t lt_tensor_size(lt_tensor* t, int d) { return t->t.size(d); }
int64_t lt_tensor_stride(lt_tensor* t, int d) { return t->t.stride(d); }
void lt_tensor_sizes(lt_tensor* t, int64_t* out) {
  for (int64_t d = 0; d < t->t.dim(); d++) out[d] = t->t.size(d);
}
void lt_tensor_strides(lt_tensor* t, int64_t* out) {
  for (int64_t d = 0; d < t->t.dim(); d++) out[d] = t->t.stride(d);
}
int64_t lt_tensor_numel(lt_tensor* t) { return t->t.numel(); }
int lt_tensor_same_size(lt_tensor* a, lt_tensor* b) { return a->t.sizes() == b->t.sizes() ? 1 : 0; }
int64_t lt_tensor_offset(lt_tensor* t) { return t->t.storage_offset(); }
int lt_tensor_dtype(lt_tensor* t) { return (int)t->t.scalar_type(); }
int lt_tensor_device_type(lt_tensor* t) { return (int)t->t.device().type(); }
int lt_tensor_device_index(lt_tensor* t) { return (int)t->t.device().index(); }
int lt_tensor_is_contiguous(lt_tensor* t) { return t->t.is_contiguous() ? 1 : 0; }
// Points at element 0 of the view (storage offset applied). Valid while the tensor lives.
void* lt_tensor_data(lt_tensor* t) { return t->t.data_ptr(); }
// Identity of the underlying storage: equal for every view of one storage.
const void* lt_tensor_storage_id(lt_tensor* t) {
  return t->t.has_storage() ? (const void*)t->t.storage().unsafeGetStorageImpl() : nullptr;
}
int64_t lt_tensor_storage_nbytes(lt_tensor* t) {
  return t->t.has_storage() ? (int64_t)t->t.storage().nbytes() : 0;
}
void* lt_tensor_storage_data(lt_tensor* t) {
  return t->t.has_storage() ? t->t.storage().mutable_data() : nullptr;
}

// A zero-filled contiguous tensor (Torch7 leaves memory uninitialised; zeros are safer).
lt_tensor* lt_tensor_zeros(const int64_t* sizes, int ndim, int dtype, int device_type, int device_index) {
  lt_tensor* r = nullptr;
  guarded([&] {
    auto opts = at::TensorOptions()
                    .dtype((c10::ScalarType)dtype)
                    .device(c10::Device((c10::DeviceType)device_type, (c10::DeviceIndex)device_index));
    r = wrap(at::zeros(to_vec(sizes, ndim), opts));
  });
  return r;
}

// self becomes a view of src's storage: Torch7's t:set(storage, offset, sizes, strides).
int lt_tensor_set_storage(lt_tensor* self, lt_tensor* src, int64_t offset, const int64_t* sizes,
                          const int64_t* strides, int ndim) {
  return guarded([&] {
    self->t.set_(src->t.storage(), offset, to_vec(sizes, ndim), to_vec(strides, ndim));
  });
}

// A 1-D tensor over the whole storage of t, offset 0: how Lua represents a Storage.
lt_tensor* lt_tensor_storage_view(lt_tensor* t) {
  lt_tensor* r = nullptr;
  guarded([&] {
    auto st = t->t.storage();
    int64_t n = (int64_t)(st.nbytes() / t->t.element_size());
    at::Tensor v = at::empty({0}, t->t.options());
    v.set_(st, 0, {n}, {1});
    r = wrap(v);
  });
  return r;
}

// ---- fast paths -------------------------------------------------------------------------
// The few new-tensor operators small-tensor code calls most, reached without the boxed
// stack (each saves the IValue marshalling of a boxed call). Same ATen kernels, same numbers.

// Torch7's clone: a contiguous copy; a contiguous CPU source is one memcpy.
lt_tensor* lt_tensor_clone(lt_tensor* t) {
  lt_tensor* r = nullptr;
  guarded([&] {
    const at::Tensor& src = t->t;
    if (src.device().is_cpu() && src.is_contiguous() && src.numel() > 0) {
      at::Tensor dst = at::empty(src.sizes(), src.options());
      std::memcpy(dst.data_ptr(), src.data_ptr(), src.nbytes());
      r = wrap(std::move(dst));
    } else {
      r = wrap(src.clone(at::MemoryFormat::Contiguous));
    }
  });
  return r;
}

lt_tensor* lt_tensor_narrow(lt_tensor* t, int dim, int64_t start, int64_t length) {
  lt_tensor* r = nullptr;
  guarded([&] { r = wrap(t->t.narrow(dim, start, length)); });
  return r;
}

lt_tensor* lt_tensor_select(lt_tensor* t, int dim, int64_t index) {
  lt_tensor* r = nullptr;
  guarded([&] { r = wrap(t->t.select(dim, index)); });
  return r;
}

// a + alpha * b (alpha an integer, as the operators pass +1 and -1)
lt_tensor* lt_tensor_add(lt_tensor* a, lt_tensor* b, int64_t alpha) {
  lt_tensor* r = nullptr;
  guarded([&] { r = wrap(at::add(a->t, b->t, alpha)); });
  return r;
}

// The whole-tensor sum accumulated in `dtype`, as a double (canonical NaN, see lt_stack_double).
// A contiguous CPU Float/Double tensor is summed as TH's sumall does: one double
// accumulator, element by element (ATen's cascade sum rounds differently).
int lt_tensor_sum(lt_tensor* t, int dtype, double* out) {
  return guarded([&] {
    const at::Tensor& src = t->t;
    auto st = src.scalar_type();
    bool sequential = (c10::ScalarType)dtype == at::kDouble && src.device().is_cpu() &&
                      src.is_contiguous() && (st == at::kDouble || st == at::kFloat);
    double v = !sequential             ? at::sum(src, (c10::ScalarType)dtype).item<double>()
               : st == at::kDouble ? sequential_sum<double>(src)
                                   : sequential_sum<float>(src);
    *out = std::isnan(v) ? std::copysign(std::numeric_limits<double>::quiet_NaN(), v) : v;
  });
}

void lt_set_num_threads(int n) { at::set_num_threads(n); }
int lt_get_num_threads(void) { return at::get_num_threads(); }
int lt_cuda_available(void) { return at::hasCUDA() ? 1 : 0; }

}  // extern "C"
