// CUDA kernels that create or move values: fill, copy with dtype conversion, arange, the
// counter-based random fills, and the byte copies between host and device.
//
// Random fills give the CPU's numbers for the same (seed, offset): element i reads Philox counter
// offset + i (tensor/philox.h, shared by both backends). The affine maps below use __dmul_rn and
// __dadd_rn because nvcc would otherwise fuse a·u + b into one FMA with a different rounding than
// the CPU's separate multiply and add (g++ in ISO C++ mode does not contract).
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cstdint>

#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/op_params.h"
#include "tensor/philox.h"

namespace camlab::cuda {
namespace {

template <typename T>
struct Constant {
  T value;
  __device__ T operator()() const { return value; }
};

// out: any strides
void fill_kernel(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  const double value = args.get<ScalarParams>().a;
  visit_all(out.dtype(), "fill",
            [&]<typename T>() { elementwise<T>("fill", Constant<T>{static_cast<T>(value)}, out); });
}

// out[...] = src[...] converted to out's dtype; src already expanded to out's shape.
void copy_kernel(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  const Tensor& src = args.inputs[0];
  visit_all(out.dtype(), "copy", [&]<typename TOut>() {
    visit_all(src.dtype(), "copy",
              [&]<typename TIn>() { elementwise<TOut, TIn>("copy", Identity{}, out, src); });
  });
}

template <typename T>
struct ArangeValue {
  double start, step;
  __device__ T operator()(int64_t i) const {
    return static_cast<T>(__dadd_rn(start, __dmul_rn(step, static_cast<double>(i))));
  }
};

template <typename T>
struct UniformValue {
  uint64_t seed, offset;
  double low, high;
  __device__ T operator()(int64_t i) const {
    const double u = philox_uniform(seed, offset + static_cast<uint64_t>(i));
    return static_cast<T>(__dadd_rn(low, __dmul_rn(high - low, u)));
  }
};

template <typename T>
struct NormalValue {
  uint64_t seed, offset;
  double mean, std;
  __device__ T operator()(int64_t i) const {
    const double z = philox_normal(seed, offset + static_cast<uint64_t>(i));
    return static_cast<T>(__dadd_rn(mean, __dmul_rn(std, z)));
  }
};

// ⌊u·span⌋ clamped below span: u < 1, but u·span may round up to span.
struct RandintValue {
  uint64_t seed, offset;
  int64_t low, span;
  __device__ int64_t operator()(int64_t i) const {
    const double u = philox_uniform(seed, offset + static_cast<uint64_t>(i));
    const auto k = static_cast<int64_t>(__dmul_rn(u, static_cast<double>(span)));
    return low + (k < span - 1 ? k : span - 1);
  }
};

// out: [n] contiguous; linspace passes its step the same way
void arange_kernel(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_all(args.outputs[0].dtype(), "arange", [&]<typename T>() {
    generate<T>("arange", ArangeValue<T>{p.a, p.b}, args.outputs[0]);
  });
}

void uniform_kernel(const KernelArgs& args) {
  const auto& p = args.get<RandomParams>();
  visit_floating(args.outputs[0].dtype(), "uniform", [&]<typename T>() {
    generate<T>("uniform", UniformValue<T>{p.seed, p.offset, p.a, p.b}, args.outputs[0]);
  });
}

void normal_kernel(const KernelArgs& args) {
  const auto& p = args.get<RandomParams>();
  visit_floating(args.outputs[0].dtype(), "normal", [&]<typename T>() {
    generate<T>("normal", NormalValue<T>{p.seed, p.offset, p.a, p.b}, args.outputs[0]);
  });
}

void randint_kernel(const KernelArgs& args) {
  const auto& p = args.get<RandomParams>();
  const auto low = static_cast<int64_t>(p.a);
  const int64_t span = static_cast<int64_t>(p.b) - low;
  generate<int64_t>("randint", RandintValue{p.seed, p.offset, low, span}, args.outputs[0]);
}

}  // namespace

// Host <-> device copies are synchronous (cudaMemcpy): the host buffer may be reused the moment
// this returns, and a device-to-host result is ready to read. Device-to-device copies are queued
// on the stream like any kernel.
void copy_between_devices(void* dst, Device dst_device, const void* src, Device src_device,
                          size_t nbytes) {
  if (nbytes == 0) return;
  DeviceGuard guard(dst_device.is_cuda() ? dst_device : src_device);
  if (dst_device.is_cuda() && src_device.is_cuda()) {
    CAMLAB_CUDA_CHECK(
        cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, current_stream()));
    return;
  }
  const cudaMemcpyKind kind =
      dst_device.is_cuda() ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost;
  CAMLAB_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, kind));
}

void register_memory_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::fill)] = fill_kernel;
  t[static_cast<size_t>(Op::copy)] = copy_kernel;
  t[static_cast<size_t>(Op::arange)] = arange_kernel;
  t[static_cast<size_t>(Op::uniform)] = uniform_kernel;
  t[static_cast<size_t>(Op::normal)] = normal_kernel;
  t[static_cast<size_t>(Op::randint)] = randint_kernel;
}

}  // namespace camlab::cuda
