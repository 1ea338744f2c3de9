// TH-style direct paths for small CPU tensors: the ops small-tensor code calls most, done
// here instead of through ATen's dispatcher and TensorIterator, whose fixed cost (~1 us)
// is ten times the arithmetic on an 8x8 matrix. Torch7's TH called C loops directly.
//
// Each function returns 1 when it did the work and 0 when the operands are outside its
// reach (other dtypes or devices, non-contiguous, large, overlapping); the Lua side then
// takes the general ATen path, which also reports any error. Nothing here throws.
//
// Numbers: each loop computes what ATen's kernel computes, element by element, with one
// rounding per element (a + b, a - b, a * b, a * s in the tensor's own type), so results
// are bit-identical to ATen's. Products go to the same BLAS gemm ATen's mm calls, with the
// arguments ATen passes for row-major operands (mm only, see lt_small_mm).
#include "lt_tensor.h"

#include <ATen/Parallel.h>
#include <c10/core/TensorImpl.h>

#include <cmath>
#include <cstring>

// The BLAS libtorch_cpu carries (MKL on x86 wheels). Weak: a torch built without them
// leaves these null and mm takes ATen's path.
extern "C" {
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc) __attribute__((weak));
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc) __attribute__((weak));
}

namespace {

// Above this many elements ATen's vectorised, possibly parallel kernels win.
constexpr int64_t SMALL_ELEMENTS = 4096;
// Products up to this many multiply-adds go to BLAS directly (one thread, as below 2^18
// TensorBlas.lua already runs them).
constexpr int64_t SMALL_PRODUCT = 65536;

bool is_real_cpu(const at::Tensor& t) {
  if (!t.defined() || !t.device().is_cpu() || t.layout() != at::kStrided) return false;
  auto st = t.scalar_type();
  return (st == at::kDouble || st == at::kFloat) && !t.is_neg() && !t.is_conj();
}

bool is_small_dense(const at::Tensor& t) {
  return is_real_cpu(t) && t.is_contiguous() && t.numel() <= SMALL_ELEMENTS;
}

// Runs f on one thread, as torch/one_thread.lua runs small kernels (a BLAS or OpenMP pool
// woken for an 8x8 product costs far more than the product); restores the setting after.
template <class F>
void on_one_thread(F&& f) {
  int threads = at::get_num_threads();
  if (threads <= 1) return f();
  at::set_num_threads(1);
  try {
    f();
  } catch (...) {
    at::set_num_threads(threads);
    throw;
  }
  at::set_num_threads(threads);
}

// Whether two contiguous tensors' elements overlap without being the very same elements
// (x op= x is fine; x op= a shifted view of x is ATen's business).
bool overlaps_partly(const at::Tensor& a, const at::Tensor& b) {
  if (!a.storage().is_alias_of(b.storage())) return false;
  auto* pa = static_cast<const char*>(a.const_data_ptr());
  auto* pb = static_cast<const char*>(b.const_data_ptr());
  if (pa == pb) return false;
  return pa < pb + b.nbytes() && pb < pa + a.nbytes();
}

// A view of src's storage with these sizes and strides: what at::alias_with_sizes_and_strides
// builds, without the dispatcher.
at::Tensor make_view(const at::Tensor& src, c10::IntArrayRef sizes, c10::IntArrayRef strides,
                     int64_t offset) {
  auto impl = c10::make_intrusive<c10::TensorImpl>(c10::TensorImpl::VIEW, c10::Storage(src.storage()),
                                                   src.key_set(), src.dtype());
  impl->set_sizes_and_strides(sizes, strides, offset);
  return at::Tensor(std::move(impl));
}

bool can_view(const at::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.layout() == at::kStrided && t.has_storage() &&
         !t.is_quantized() && t.dim() <= 16;
}

// An uninitialised contiguous tensor of t's sizes and type (its contents are overwritten):
// a recycled one when the pool has one of that byte size.
at::Tensor empty_like_contiguous(const at::Tensor& t) {
  at::Tensor r = lt_pool_take((size_t)t.numel() * t.element_size(), t.scalar_type());
  if (r.defined()) {
    r.unsafeGetTensorImpl()->set_sizes_contiguous(t.sizes());
    return r;
  }
  return at::detail::empty_cpu(t.sizes(), t.scalar_type(), false, at::MemoryFormat::Contiguous);
}

template <class T, class F>
void zip(T* out, const T* a, const T* b, int64_t n, F f) {
  for (int64_t i = 0; i < n; i++) out[i] = f(a[i], b[i]);
}

// out = a + alpha * b for alpha = +1 or -1 (exact negation, so one rounding as in ATen)
template <class T>
void add_loop(T* out, const T* a, const T* b, int64_t n, bool subtract) {
  if (subtract) zip(out, a, b, n, [](T x, T y) { return x - y; });
  else zip(out, a, b, n, [](T x, T y) { return x + y; });
}

bool same_small_pair(const at::Tensor& a, const at::Tensor& b) {
  return is_small_dense(a) && is_small_dense(b) && a.scalar_type() == b.scalar_type() &&
         a.numel() == b.numel();
}

template <class F>
int attempt(F&& f) {
  try {
    return f() ? 1 : 0;
  } catch (...) {
    return 0;  // the ATen path redoes the call and reports the error
  }
}

}  // namespace

extern "C" {

// out = src:narrow(dim, start, length) (0-based), a view
int lt_small_narrow(lt_tensor* out, lt_tensor* src, int dim, int64_t start, int64_t length) {
  return attempt([&] {
    const at::Tensor& t = src->t;
    if (!can_view(t) || dim < 0 || dim >= t.dim()) return false;
    int64_t size = t.size(dim);
    if (start < 0 || length < 0 || start + length > size) return false;
    c10::SmallVector<int64_t, 8> sizes(t.sizes().begin(), t.sizes().end());
    sizes[dim] = length;
    out->t = make_view(t, sizes, t.strides(), t.storage_offset() + start * t.stride(dim));
    return true;
  });
}

// out = src:select(dim, index) (0-based), a view with one dimension fewer
int lt_small_select(lt_tensor* out, lt_tensor* src, int dim, int64_t index) {
  return attempt([&] {
    const at::Tensor& t = src->t;
    if (!can_view(t) || dim < 0 || dim >= t.dim()) return false;
    if (index < 0 || index >= t.size(dim)) return false;
    c10::SmallVector<int64_t, 8> sizes, strides;
    for (int64_t d = 0; d < t.dim(); d++) {
      if (d == dim) continue;
      sizes.push_back(t.size(d));
      strides.push_back(t.stride(d));
    }
    out->t = make_view(t, sizes, strides, t.storage_offset() + index * t.stride(dim));
    return true;
  });
}

// out = a contiguous copy of src
int lt_small_clone(lt_tensor* out, lt_tensor* src) {
  return attempt([&] {
    const at::Tensor& t = src->t;
    if (!is_small_dense(t) || t.numel() == 0) return false;
    at::Tensor r = empty_like_contiguous(t);
    std::memcpy(r.data_ptr(), t.const_data_ptr(), t.nbytes());
    out->t = std::move(r);
    return true;
  });
}

// out = a new tensor of a's shape, a + alpha * b (alpha +1 or -1; b of a's element count)
int lt_small_add_new(lt_tensor* out, lt_tensor* a, lt_tensor* b, double alpha) {
  return attempt([&] {
    if ((alpha != 1 && alpha != -1) || !same_small_pair(a->t, b->t) || a->t.numel() == 0) return false;
    at::Tensor r = empty_like_contiguous(a->t);
    int64_t n = r.numel();
    if (r.scalar_type() == at::kDouble) {
      add_loop(r.data_ptr<double>(), a->t.const_data_ptr<double>(), b->t.const_data_ptr<double>(), n, alpha < 0);
    } else {
      add_loop(r.data_ptr<float>(), a->t.const_data_ptr<float>(), b->t.const_data_ptr<float>(), n, alpha < 0);
    }
    out->t = std::move(r);
    return true;
  });
}

// x += alpha * y in place (alpha +1 or -1)
int lt_small_add(lt_tensor* x, lt_tensor* y, double alpha) {
  return attempt([&] {
    if ((alpha != 1 && alpha != -1) || !same_small_pair(x->t, y->t) || overlaps_partly(x->t, y->t)) return false;
    int64_t n = x->t.numel();
    if (x->t.scalar_type() == at::kDouble) {
      double* p = x->t.data_ptr<double>();
      add_loop(p, p, y->t.const_data_ptr<double>(), n, alpha < 0);
    } else {
      float* p = x->t.data_ptr<float>();
      add_loop(p, p, y->t.const_data_ptr<float>(), n, alpha < 0);
    }
    return true;
  });
}

// x *= y elementwise, in place
int lt_small_cmul(lt_tensor* x, lt_tensor* y) {
  return attempt([&] {
    if (!same_small_pair(x->t, y->t) || overlaps_partly(x->t, y->t)) return false;
    int64_t n = x->t.numel();
    if (x->t.scalar_type() == at::kDouble) {
      double* p = x->t.data_ptr<double>();
      zip(p, p, y->t.const_data_ptr<double>(), n, [](double u, double v) { return u * v; });
    } else {
      float* p = x->t.data_ptr<float>();
      zip(p, p, y->t.const_data_ptr<float>(), n, [](float u, float v) { return u * v; });
    }
    return true;
  });
}

// x *= v in place; a FloatTensor multiplies by v rounded to float, as ATen and TH do
int lt_small_mul_scalar(lt_tensor* x, double v) {
  return attempt([&] {
    if (!is_small_dense(x->t)) return false;
    int64_t n = x->t.numel();
    if (x->t.scalar_type() == at::kDouble) {
      double* p = x->t.data_ptr<double>();
      for (int64_t i = 0; i < n; i++) p[i] *= v;
    } else {
      float* p = x->t.data_ptr<float>();
      float s = static_cast<float>(v);
      for (int64_t i = 0; i < n; i++) p[i] *= s;
    }
    return true;
  });
}

// dst = src elementwise (same type and element count; the shapes may differ, as Torch7's
// copy allows, since both are read in row-major order)
int lt_small_copy(lt_tensor* dst, lt_tensor* src) {
  return attempt([&] {
    if (!same_small_pair(dst->t, src->t) || overlaps_partly(dst->t, src->t)) return false;
    if (dst->t.data_ptr() != src->t.const_data_ptr()) {
      std::memmove(dst->t.data_ptr(), src->t.const_data_ptr(), src->t.nbytes());
    }
    return true;
  });
}

// c = alpha * a @ b (res:mm) for contiguous row-major 2-D operands, c already m x n and
// sharing no memory with a or b; c's old contents are ignored, as BLAS does with beta 0.
// Only mm: with beta != 0 ATen's addmm does not always round as this direct call does,
// and a single row or column goes to ATen's matrix-vector path.
int lt_small_mm(lt_tensor* c, lt_tensor* a, lt_tensor* b, double alpha) {
  return attempt([&] {
    const double beta = 0;
    const at::Tensor &C = c->t, &A = a->t, &B = b->t;
    if (!is_real_cpu(C) || !is_real_cpu(A) || !is_real_cpu(B)) return false;
    auto st = C.scalar_type();
    if (A.scalar_type() != st || B.scalar_type() != st) return false;
    if (C.dim() != 2 || A.dim() != 2 || B.dim() != 2) return false;
    if (!C.is_contiguous() || !A.is_contiguous() || !B.is_contiguous()) return false;
    int64_t m = A.size(0), k = A.size(1), n = B.size(1);
    if (B.size(0) != k || C.size(0) != m || C.size(1) != n) return false;
    if (m < 2 || n < 2 || k == 0 || m * n * k > SMALL_PRODUCT) return false;
    if (C.storage().is_alias_of(A.storage()) || C.storage().is_alias_of(B.storage())) return false;
    if (st == at::kDouble ? dgemm_ == nullptr : sgemm_ == nullptr) return false;
    // row-major C = A B is column-major C' = B' A': ATen's own call for these strides
    int M = (int)n, N = (int)m, K = (int)k, lda = (int)n, ldb = (int)k, ldc = (int)n;
    const char no = 'n';
    on_one_thread([&] {
      if (st == at::kDouble) {
        dgemm_(&no, &no, &M, &N, &K, &alpha, B.const_data_ptr<double>(), &lda, A.const_data_ptr<double>(),
               &ldb, &beta, c->t.data_ptr<double>(), &ldc);
      } else {
        float fa = (float)alpha, fb = (float)beta;
        sgemm_(&no, &no, &M, &N, &K, &fa, B.const_data_ptr<float>(), &lda, A.const_data_ptr<float>(), &ldb,
               &fb, c->t.data_ptr<float>(), &ldc);
      }
    });
    return true;
  });
}

}  // extern "C"

extern "C" {

// c = beta * c + alpha * a @ b (res:addmm) for small CPU products: ATen's own addmm_,
// through its unboxed entry point (no IValue stack), so the numbers are ATen's.
int lt_small_addmm(lt_tensor* c, lt_tensor* a, lt_tensor* b, double beta, double alpha) {
  return attempt([&] {
    const at::Tensor &C = c->t, &A = a->t, &B = b->t;
    if (!is_real_cpu(C) || !is_real_cpu(A) || !is_real_cpu(B)) return false;
    if (C.dim() != 2 || A.dim() != 2 || B.dim() != 2) return false;
    int64_t m = A.size(0), k = A.size(1), n = B.size(1);
    if (B.size(0) != k || C.size(0) != m || C.size(1) != n || m * n * k > SMALL_PRODUCT) return false;
    on_one_thread([&] { c->t.addmm_(A, B, beta, alpha); });
    return true;
  });
}

// out = f(src) for the pointwise functions nn's layers call most, through ATen's unboxed
// entry points: the same kernels as the boxed "f.out" call, without building an IValue
// stack. `which` is UNARY_CODES's in torch/TensorArith.lua; 0 means "not done".
// Small contiguous DoubleTensors get TH's own loops for sigmoid and tanh instead: libm's
// exp and tanh, Torch7's numbers (ATen's vectorised Sleef versions may differ in the last
// bit, see docs/DIFFERENCES.md).
int lt_unary_out(int which, lt_tensor* out, lt_tensor* src) {
  return attempt([&] {
    at::Tensor& o = out->t;
    const at::Tensor& s = src->t;
    if ((which == 1 || which == 2) && same_small_pair(o, s) && s.scalar_type() == at::kDouble &&
        !overlaps_partly(o, s)) {
      const double* p = s.const_data_ptr<double>();
      double* r = o.data_ptr<double>();
      int64_t n = s.numel();
      if (which == 1) {
        for (int64_t i = 0; i < n; i++) r[i] = 1.0 / (1.0 + std::exp(-p[i]));
      } else {
        for (int64_t i = 0; i < n; i++) r[i] = std::tanh(p[i]);
      }
      return true;
    }
    switch (which) {
      case 1: at::sigmoid_out(o, s); return true;
      case 2: at::tanh_out(o, s); return true;
      case 3: at::exp_out(o, s); return true;
      case 4: at::log_out(o, s); return true;
      case 5: at::sqrt_out(o, s); return true;
      case 6: at::abs_out(o, s); return true;
      case 7: at::neg_out(o, s); return true;
      default: return false;
    }
  });
}

}  // extern "C"
