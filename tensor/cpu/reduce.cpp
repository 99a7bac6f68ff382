// CPU reductions: sum, amax, amin over any set of dims; argmax, argmin along one dim.
// x: any shape and strides -> out: x's shape with the reduced dims set to 1 (keepdim layout).
//
// Float sums accumulate in double (a 1e6-element float32 sum stays exact to float precision);
// max/min propagate NaN and arg-reductions return the first extreme index, as PyTorch does.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/op_params.h"

namespace camlab::cpu {

void register_softmax_kernels(KernelTable& table);  // cpu/softmax.cpp

namespace {

// x split into kept dims (one output element each) and reduced dims (folded into one value),
// each group collapsed where contiguous. Reduced dims keep their row-major order, so a linear
// index over them is the position along the dim when a single dim is reduced.
struct ReduceLayout {
  Shape kept_shape, kept_in_strides, kept_out_strides;
  Shape red_shape, red_strides;
  int64_t kept_count = 1, red_count = 1;
};

ReduceLayout make_layout(const Tensor& x, const Tensor& out, const Shape& dims) {
  Shape kept, kept_in, kept_out, red, red_in;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (std::find(dims.begin(), dims.end(), d) != dims.end()) {
      red.push_back(x.size(d));
      red_in.push_back(x.stride(d));
    } else {
      kept.push_back(x.size(d));
      kept_in.push_back(x.stride(d));
      kept_out.push_back(out.stride(d));
    }
  }
  ReduceLayout layout;
  layout.kept_count = numel(kept);
  layout.red_count = numel(red);
  CollapsedLayout<2> k = collapse_dims<2>(kept, {&kept_in, &kept_out});
  CollapsedLayout<1> r = collapse_dims<1>(red, {&red_in});
  layout.kept_shape = k.shape;
  layout.kept_in_strides = k.strides[0];
  layout.kept_out_strides = k.strides[1];
  layout.red_shape = r.shape;
  layout.red_strides = r.strides[0];
  return layout;
}

// Offset of linear index i of a row-major walk over `shape` with the given strides.
inline int64_t offset_of(int64_t i, const Shape& shape, const Shape& strides, int64_t last_dim) {
  int64_t offset = 0;
  for (int64_t d = last_dim; d >= 0; --d) {
    offset += (i % shape[d]) * strides[d];
    i /= shape[d];
  }
  return offset;
}

template <typename T>
inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

// ---- reducers: init(), step(acc, value, index), row(acc, ptr, n, stride, index0), merge ----

// GCC 12 flags the _mm256_undefined_pd() placeholders inside the AVX-512 conversion and
// reduction intrinsics as maybe-uninitialized (a false positive; conv2d_avx512.cpp does the same).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <typename T>
struct SumReducer {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  Acc init() const { return 0; }
  void step(Acc& acc, T v, int64_t) const { acc += static_cast<Acc>(v); }
  void row(Acc& acc, const T* p, int64_t n, int64_t stride, int64_t) const {
    if (stride != 1) {
      for (int64_t i = 0; i < n; ++i) acc += static_cast<Acc>(p[i * stride]);
      return;
    }
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
      // The same double accumulation as the lanes below, 16 floats a step widened to two vectors
      // of 8 doubles (the scalar lanes convert and add one element at a time: ≈ 1 ns each, which
      // made conv bias gradients 4% of a training step).
      __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
      int64_t i = 0;
      for (; i + 16 <= n; i += 16) {
        s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(p + i)));
        s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_loadu_ps(p + i + 8)));
      }
      double tail = 0;
      for (; i < n; ++i) tail += static_cast<double>(p[i]);
      acc += _mm512_reduce_add_pd(_mm512_add_pd(s0, s1)) + tail;
      return;
    }
#endif
    // Eight independent partial sums: the compiler vectorises them, and they shorten the
    // rounding chain (a step toward pairwise summation).
    Acc lanes[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int l = 0; l < 8; ++l) lanes[l] += static_cast<Acc>(p[i + l]);
    }
    for (; i < n; ++i) lanes[0] += static_cast<Acc>(p[i]);
    acc += ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
           ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  }
  void merge(Acc& acc, const Acc& other) const { acc += other; }
  template <typename TOut>
  TOut finish(const Acc& acc) const {
    return static_cast<TOut>(acc);
  }
};
#pragma GCC diagnostic pop

// kMax: amax (true) or amin (false). NaN wins and then sticks.
template <typename T, bool kMax>
struct ExtremeReducer {
  using Acc = T;
  static bool better(T v, T best) { return (kMax ? v > best : v < best) || is_nan(v); }
  Acc init() const {
    if constexpr (std::is_floating_point_v<T>) {
      return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    } else {
      return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    }
  }
  void step(Acc& acc, T v, int64_t) const {
    if (!is_nan(acc) && better(v, acc)) acc = v;
  }
  void row(Acc& acc, const T* p, int64_t n, int64_t stride, int64_t) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (stride == 1 && !is_nan(acc) && contiguous_row(acc, p, n)) return;
    }
    for (int64_t i = 0; i < n; ++i) step(acc, p[i * stride], 0);
  }
  // A contiguous row in SIMD lanes: the compare-and-step above, NaN test and all, does not
  // vectorise, and amin / amax over a map's pixels ran ~8x slower than sum. v − v is 0 for a
  // finite v, so a probe that ends NaN means a NaN or an infinity: false, and the scalar loop
  // redoes the row with its exact NaN rule.
  static bool contiguous_row(Acc& acc, const T* p, int64_t n) {
    T best = acc, probe = 0;
    if constexpr (kMax) {
#pragma omp simd reduction(max : best) reduction(+ : probe)
      for (int64_t i = 0; i < n; ++i) {
        best = p[i] > best ? p[i] : best;
        probe += p[i] - p[i];
      }
    } else {
#pragma omp simd reduction(min : best) reduction(+ : probe)
      for (int64_t i = 0; i < n; ++i) {
        best = p[i] < best ? p[i] : best;
        probe += p[i] - p[i];
      }
    }
    if (is_nan(probe)) return false;
    acc = best;
    return true;
  }
  void merge(Acc& acc, const Acc& other) const { step(acc, other, 0); }
  template <typename TOut>
  TOut finish(const Acc& acc) const {
    return static_cast<TOut>(acc);
  }
};

// argmax (kMax) / argmin: the first index of the extreme value; a NaN counts as the extreme.
template <typename T, bool kMax>
struct ArgReducer {
  struct Acc {
    T value;
    int64_t index;
  };
  Acc init() const { return {T(0), -1}; }
  void step(Acc& acc, T v, int64_t index) const {
    // Visits come in increasing index order, so only a strictly better value moves the index.
    if (acc.index < 0 || (!is_nan(acc.value) && ExtremeReducer<T, kMax>::better(v, acc.value))) {
      acc = {v, index};
    }
  }
  void row(Acc& acc, const T* p, int64_t n, int64_t stride, int64_t index0) const {
    for (int64_t i = 0; i < n; ++i) step(acc, p[i * stride], index0 + i);
  }
  // `other` covers later indices than `acc`.
  void merge(Acc& acc, const Acc& other) const {
    if (other.index >= 0) step(acc, other.value, other.index);
  }
  template <typename TOut>
  TOut finish(const Acc& acc) const {
    return std::max<int64_t>(acc.index, 0);
  }
};

// Folds reduced elements [begin, end) (row-major over the reduced dims) into acc.
template <typename T, typename R>
void fold_range(const R& r, typename R::Acc& acc, const T* base, const ReduceLayout& L,
                int64_t begin, int64_t end) {
  const int64_t last = static_cast<int64_t>(L.red_shape.size()) - 1;
  const int64_t inner = L.red_shape[last];
  const int64_t inner_stride = L.red_strides[last];
  for (int64_t i = begin; i < end;) {
    const int64_t row = i / inner, col = i % inner;
    const int64_t n = std::min(inner - col, end - i);
    const int64_t row_offset = offset_of(row, L.red_shape, L.red_strides, last - 1);
    r.row(acc, base + row_offset + col * inner_stride, n, inner_stride, i);
    i += n;
  }
}

// The innermost kept dim is contiguous in x while the reduced dims are not (e.g. summing
// [N, C] over N): walk the reduced elements outermost over strips of accumulators, so x is read
// in long contiguous runs. With too few strips for the threads, the reduced range is split too
// and the partial results merged in order.
template <typename T, typename TOut, typename R>
void reduce_columns(const R& r, const T* px, TOut* po, const ReduceLayout& L) {
  using Acc = typename R::Acc;
  const int64_t threads = omp_get_max_threads();
  const bool parallel = L.kept_count * L.red_count >= kParallelGrain;
  const int64_t last = static_cast<int64_t>(L.kept_shape.size()) - 1;
  const int64_t red_last = static_cast<int64_t>(L.red_shape.size()) - 1;
  const int64_t width = L.kept_shape[last];
  const int64_t groups = L.kept_count / width;
  const int64_t strip = std::clamp<int64_t>((width + threads - 1) / threads, 256, 2048);
  const int64_t strips = (width + strip - 1) / strip;
  const int64_t chunks = parallel && groups * strips < threads ? threads : 1;
  const int64_t chunk = (L.red_count + chunks - 1) / chunks;
  std::vector<Acc> partial(static_cast<size_t>(chunks * L.kept_count));  // [chunks, groups, width]
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t task = 0; task < chunks * groups * strips; ++task) {
    const int64_t c = task / (groups * strips), group = task / strips % groups;
    const int64_t j0 = task % strips * strip, n = std::min(strip, width - j0);
    const T* in = px + offset_of(group, L.kept_shape, L.kept_in_strides, last - 1) + j0;
    Acc* acc = partial.data() + (c * groups + group) * width + j0;
    for (int64_t j = 0; j < n; ++j) acc[j] = r.init();
    const int64_t end = std::min((c + 1) * chunk, L.red_count);
    for (int64_t k = c * chunk; k < end; ++k) {
      const T* p = in + offset_of(k, L.red_shape, L.red_strides, red_last);
      for (int64_t j = 0; j < n; ++j) r.step(acc[j], p[j], k);
    }
  }
  const int64_t out_step = L.kept_out_strides[last];
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t group = 0; group < groups; ++group) {
    TOut* out = po + offset_of(group, L.kept_shape, L.kept_out_strides, last - 1);
    for (int64_t j = 0; j < width; ++j) {
      Acc acc = partial[group * width + j];
      for (int64_t c = 1; c < chunks; ++c) r.merge(acc, partial[(c * groups + group) * width + j]);
      out[j * out_step] = r.template finish<TOut>(acc);
    }
  }
}

template <typename T, typename TOut, typename R>
void reduce(const R& r, const Tensor& x, const Tensor& out, const Shape& dims) {
  const ReduceLayout L = make_layout(x, out, dims);
  const T* px = x.data<T>();
  TOut* po = out.data<TOut>();
  if (L.kept_count == 0) return;
  const int64_t kept_last = static_cast<int64_t>(L.kept_shape.size()) - 1;
  if (L.red_count == 0) {  // an empty reduction gives the identity (sum of nothing is 0)
    for (int64_t k = 0; k < L.kept_count; ++k) {
      po[offset_of(k, L.kept_shape, L.kept_out_strides, kept_last)] =
          r.template finish<TOut>(r.init());
    }
    return;
  }
  const bool columns = L.kept_shape.back() > 1 && L.kept_in_strides.back() == 1 &&
                       L.red_strides.back() != 1 && L.red_count > 1;
  if (columns) return reduce_columns<T, TOut>(r, px, po, L);

  const int64_t threads = omp_get_max_threads();
  const bool parallel = L.kept_count * L.red_count >= kParallelGrain;
  if (!parallel || L.kept_count >= threads) {
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t k = 0; k < L.kept_count; ++k) {
      typename R::Acc acc = r.init();
      fold_range(r, acc, px + offset_of(k, L.kept_shape, L.kept_in_strides, kept_last), L, 0,
                 L.red_count);
      po[offset_of(k, L.kept_shape, L.kept_out_strides, kept_last)] = r.template finish<TOut>(acc);
    }
    return;
  }
  // Few outputs, long reductions: split each reduction across threads, then merge in order.
  const int64_t chunks = threads * 4;
  const int64_t chunk = (L.red_count + chunks - 1) / chunks;
  std::vector<typename R::Acc> partial(static_cast<size_t>(chunks));
  for (int64_t k = 0; k < L.kept_count; ++k) {
    const T* base = px + offset_of(k, L.kept_shape, L.kept_in_strides, kept_last);
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < chunks; ++c) {
      partial[c] = r.init();
      const int64_t begin = std::min(c * chunk, L.red_count);
      fold_range(r, partial[c], base, L, begin, std::min(begin + chunk, L.red_count));
    }
    typename R::Acc acc = partial[0];
    for (int64_t c = 1; c < chunks; ++c) r.merge(acc, partial[c]);
    po[offset_of(k, L.kept_shape, L.kept_out_strides, kept_last)] = r.template finish<TOut>(acc);
  }
}

// out: sum_dtype(x) (tensor/dtype.h).
void sum_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& out = args.outputs[0];
  const Shape& dims = args.get<ReduceParams>().dims;
  visit_all(x.dtype(), "sum", [&]<typename T>() {
    check_output_dtype("sum", out, sum_dtype(x.dtype()));
    reduce<T, sum_type<T>>(SumReducer<T>{}, x, out, dims);
  });
}

template <bool kMax>
void extreme_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& out = args.outputs[0];
  const char* op = kMax ? "amax" : "amin";
  const Shape& dims = args.get<ReduceParams>().dims;
  visit_all(x.dtype(), op, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      fail("{}: bool input {}; convert it with .to(DType::UInt8) first", op, shape_str(x.shape()));
    } else {
      check_output_dtype(op, out, x.dtype());
      reduce<T, T>(ExtremeReducer<T, kMax>{}, x, out, dims);
    }
  });
}

template <bool kMax>
void arg_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& out = args.outputs[0];
  const char* op = kMax ? "argmax" : "argmin";
  check_output_dtype(op, out, DType::Int64);
  const Shape dims{args.get<DimParams>().dim};
  visit_all(x.dtype(), op, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      fail("{}: bool input {}; convert it with .to(DType::UInt8) first", op, shape_str(x.shape()));
    } else {
      reduce<T, int64_t>(ArgReducer<T, kMax>{}, x, out, dims);
    }
  });
}

}  // namespace

void register_reduce_kernels(KernelTable& t) {
  auto set = [&](Op op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(Op::sum, sum_kernel);
  set(Op::amax, extreme_kernel<true>);
  set(Op::amin, extreme_kernel<false>);
  set(Op::argmax, arg_kernel<true>);
  set(Op::argmin, arg_kernel<false>);
  register_softmax_kernels(t);
}

}  // namespace camlab::cpu
