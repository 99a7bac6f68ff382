// CPU kernels that create or move values: fill, copy with dtype conversion, arange and the
// counter-based random fills.
#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/op_params.h"
#include "tensor/philox.h"

namespace camlab::cpu {
namespace {

// Calls fn(i, element) for each element of a contiguous output, i its linear index.
template <typename T, typename F>
void generate(const Tensor& out, F f) {
  T* o = out.data<T>();
  const int64_t n = out.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
  for (int64_t i = 0; i < n; ++i) o[i] = f(i);
}

void fill_kernel(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  double value = args.get<ScalarParams>().a;
  visit_all(out.dtype(), "fill", [&]<typename T>() {
    T v = static_cast<T>(value);
    T* o = out.data<T>();
    for_each_row<1>(
        out.shape(), {&out.strides()},
        [&](const std::array<int64_t, 1>& base, const std::array<int64_t, 1>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) o[base[0] + i * step[0]] = v;
        });
  });
}

// out[...] = src[...] converted to out's dtype; src already expanded to out's shape.
void copy_kernel(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  const Tensor& src = args.inputs[0];
  visit_all(out.dtype(), "copy", [&]<typename TOut>() {
    visit_all(src.dtype(), "copy", [&]<typename TIn>() {
      TOut* o = out.data<TOut>();
      const TIn* in = src.data<TIn>();
      for_each_row<2>(
          out.shape(), {&out.strides(), &src.strides()},
          [&](const std::array<int64_t, 2>& base, const std::array<int64_t, 2>& step, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
              o[base[0] + i * step[0]] = static_cast<TOut>(in[base[1] + i * step[1]]);
            }
          });
    });
  });
}

void arange_kernel(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_all(args.outputs[0].dtype(), "arange", [&]<typename T>() {
    generate<T>(args.outputs[0], [&](int64_t i) { return static_cast<T>(p.a + p.b * i); });
  });
}

void uniform_kernel(const KernelArgs& args) {
  const auto& p = args.get<RandomParams>();
  visit_floating(args.outputs[0].dtype(), "uniform", [&]<typename T>() {
    generate<T>(args.outputs[0], [&](int64_t i) {
      return static_cast<T>(p.a + (p.b - p.a) * philox_uniform(p.seed, p.offset + i));
    });
  });
}

void normal_kernel(const KernelArgs& args) {
  const auto& p = args.get<RandomParams>();
  visit_floating(args.outputs[0].dtype(), "normal", [&]<typename T>() {
    generate<T>(args.outputs[0], [&](int64_t i) {
      return static_cast<T>(p.a + p.b * philox_normal(p.seed, p.offset + i));
    });
  });
}

void randint_kernel(const KernelArgs& args) {
  const auto& p = args.get<RandomParams>();
  auto low = static_cast<int64_t>(p.a), span = static_cast<int64_t>(p.b) - low;
  generate<int64_t>(args.outputs[0], [&](int64_t i) {
    auto k = static_cast<int64_t>(philox_uniform(p.seed, p.offset + i) * static_cast<double>(span));
    return low + std::min(k, span - 1);
  });
}

}  // namespace

void register_memory_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::fill)] = fill_kernel;
  t[static_cast<size_t>(Op::copy)] = copy_kernel;
  t[static_cast<size_t>(Op::arange)] = arange_kernel;
  t[static_cast<size_t>(Op::uniform)] = uniform_kernel;
  t[static_cast<size_t>(Op::normal)] = normal_kernel;
  t[static_cast<size_t>(Op::randint)] = randint_kernel;
}

}  // namespace camlab::cpu
