// The CUDA backend against the CPU one: every kernel on random inputs, non-contiguous and
// broadcast ones included, the RNG giving the same numbers on both devices, the caching
// allocator, pinned memory and the out-of-memory message.
//
// CudaBackend.* needs no GPU (the kernel table, the allocator's arithmetic and messages) and runs
// in every build with the backend; CudaParity.* skips at run time without a GPU.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tensor/cuda/device.h"
#include "tensor/dispatch.h"
#include "tensor/ops.h"

#if defined(CAMLAB_WITH_CUDA)
#include "tensor/cpu/conv2d.h"
#include "tensor/cuda/allocator.h"
#include "tensor/cuda/backend.h"
#include "tensor/cuda/conv2d.h"
#include "tensor/cuda/pinned.h"
#include "tensor/cuda/stream.h"
#include "tensor/cuda/upload.h"
#endif

namespace camlab {
namespace {

#define SKIP_WITHOUT_GPU()                                                \
  do {                                                                    \
    if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device here"; \
  } while (false)

const Device kGpu = Device::cuda(0);

// The values of a CPU result and a CUDA result agree: same shape and dtype, and
// |got − want| ≤ atol + rtol·|want| everywhere (NaN matches NaN). Names the first mismatch.
::testing::AssertionResult same_values(const Tensor& want, const Tensor& got, double rtol,
                                       double atol) {
  if (!got.device().is_cuda()) return ::testing::AssertionFailure() << "result is not on CUDA";
  if (want.shape() != got.shape() || want.dtype() != got.dtype()) {
    return ::testing::AssertionFailure()
           << "CPU gave " << dtype_name(want.dtype()) << " " << shape_str(want.shape())
           << ", CUDA gave " << dtype_name(got.dtype()) << " " << shape_str(got.shape());
  }
  const Tensor w = want.to(DType::Float64).contiguous();
  const Tensor g = got.to(Device::cpu()).to(DType::Float64).contiguous();
  const double* pw = w.data<double>();
  const double* pg = g.data<double>();
  int64_t bad = 0, first = -1;
  double max_diff = 0;
  for (int64_t i = 0; i < w.numel(); ++i) {
    const double diff = std::abs(pg[i] - pw[i]);
    const bool ok =
        (std::isnan(pw[i]) && std::isnan(pg[i])) || diff <= atol + rtol * std::abs(pw[i]);
    if (!std::isnan(diff)) max_diff = std::max(max_diff, diff);
    if (!ok && bad++ == 0) first = i;
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << w.numel() << " values differ (rtol " << rtol << ", atol " << atol
         << "); first at flat index " << first << ": CPU " << pw[first] << ", CUDA " << pg[first]
         << "; max abs difference " << max_diff << "; shape " << shape_str(want.shape());
}

struct Tolerance {
  double rtol, atol;
};
Tolerance tolerance(DType dtype) {
  return dtype == DType::Float64 ? Tolerance{1e-12, 1e-12} : Tolerance{2e-5, 2e-5};
}

using Tensors = std::vector<Tensor>;
using ManyFn = std::function<Tensors(const Tensors&)>;

// Runs f on the CPU inputs and on their CUDA copies and compares every output. f builds its views
// (transposes, slices, expansions) itself, so both devices see the same strides.
void expect_parity_n(const std::string& what, const ManyFn& f, const Tensors& inputs,
                     Tolerance tol) {
  Tensors gpu_inputs;
  for (const Tensor& t : inputs) gpu_inputs.push_back(t.defined() ? t.to(kGpu) : t);
  const Tensors want = f(inputs);
  const Tensors got = f(gpu_inputs);
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(same_values(want[i], got[i], tol.rtol, tol.atol)) << what << ", output " << i;
  }
}

void expect_parity(const std::string& what, const std::function<Tensor(const Tensors&)>& f,
                   const Tensors& inputs, Tolerance tol) {
  expect_parity_n(
      what, [&](const Tensors& in) { return Tensors{f(in)}; }, inputs, tol);
}

Tensor random(const Shape& shape, uint64_t seed, DType dtype = DType::Float32, double low = -2,
              double high = 2) {
  Generator gen(seed);
  return ops::uniform(shape, low, high, gen, dtype);
}

// The layouts every elementwise op is tried on: contiguous, transposed, strided slice, broadcast.
const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> kLayouts = {
    {"contiguous", [](const Tensor& t) { return t; }},                  // [6, 10]
    {"transposed", [](const Tensor& t) { return t.transpose(0, 1); }},  // [10, 6]
    {"sliced", [](const Tensor& t) { return t.slice(1, 1, 10, 3); }},   // [6, 3]
    {"expanded",
     [](const Tensor& t) {
       return t.narrow(0, 2, 1).expand({4, 10});
     }},  // [4, 10]
};

// ---- no GPU needed -----------------------------------------------------------------------------

TEST(CudaBackend, KernelTableHasNoEmptyEntry) {
  if (!cuda::backend_built()) GTEST_SKIP() << "built without the CUDA backend";
#if defined(CAMLAB_WITH_CUDA)
  const KernelTable table = cuda::make_kernel_table();
  for (size_t i = 0; i < kOpCount; ++i) {
    EXPECT_NE(table[i], nullptr) << "no CUDA kernel for op " << kOpNames[i];
  }
#endif
}

// tensor/dispatch.cpp builds its CUDA table with cuda::make_kernel_table().
TEST(CudaBackend, DispatchUsesTheCudaTable) {
  if (!cuda::backend_built()) GTEST_SKIP() << "built without the CUDA backend";
  for (size_t i = 0; i < kOpCount; ++i) {
    EXPECT_TRUE(has_kernel(static_cast<Op>(i), DeviceType::CUDA))
        << "dispatch has no CUDA kernel for op " << kOpNames[i];
  }
}

#if defined(CAMLAB_WITH_CUDA)
TEST(CudaBackend, SizeClassesRoundUpByAtMostAnEighth) {
  EXPECT_EQ(cuda::size_class(1), 512u);
  EXPECT_EQ(cuda::size_class(512), 512u);
  EXPECT_EQ(cuda::size_class(513), 1024u);
  EXPECT_EQ(cuda::size_class(size_t{1} << 20), size_t{1} << 20);
  for (size_t bytes : {size_t{1} << 20, size_t{3000000}, size_t{4000000}, size_t{1} << 33}) {
    const size_t cls = cuda::size_class(bytes + 1);
    EXPECT_GE(cls, bytes + 1);
    EXPECT_LE(cls, (bytes + 1) + (bytes + 1) / 8) << bytes;
    EXPECT_EQ(cuda::size_class(cls), cls) << "a class is its own class";
  }
}

TEST(CudaBackend, OutOfMemoryMessageNamesTheRequestAndTheHoldings) {
  const size_t mib = size_t{1} << 20, gib = size_t{1} << 30;
  EXPECT_EQ(cuda::format_bytes(100), "100 B");
  EXPECT_EQ(cuda::format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(cuda::out_of_memory_message(512 * mib, static_cast<size_t>(70.1 * gib),
                                        static_cast<size_t>(69.5 * gib)),
            "CUDA out of memory: asked for 512.0 MiB with 70.1 GiB held by camlab (69.5 GiB in "
            "use); free cached blocks with cuda::empty_cache()");
}

TEST(CudaBackend, AllocatingWithoutAGpuIsAClearError) {
  if (cuda::device_count() > 0) GTEST_SKIP() << "a GPU is present";
  try {
    Tensor::empty({4}, DType::Float32, kGpu);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Device::cpu()"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(cuda::empty_cache());  // nothing cached: no device needed
  EXPECT_EQ(cuda::allocator_stats().bytes_in_use, 0u);
}
#endif

// ---- creation and RNG --------------------------------------------------------------------------

TEST(CudaParity, FillArangeLinspaceEye) {
  SKIP_WITHOUT_GPU();
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64, DType::UInt8, DType::Bool}) {
    SCOPED_TRACE(std::string(dtype_name(dtype)));
    EXPECT_TRUE(same_values(ops::full({3, 5}, 1, dtype), ops::full({3, 5}, 1, dtype, kGpu), 0, 0));
    EXPECT_TRUE(same_values(ops::eye(5, dtype), ops::eye(5, dtype, kGpu), 0, 0));  // strided fill
  }
  EXPECT_TRUE(same_values(ops::arange(-3, 40, 0.7, DType::Float64),
                          ops::arange(-3, 40, 0.7, DType::Float64, kGpu), 0, 0));
  EXPECT_TRUE(same_values(ops::arange(0, 300, 1, DType::Int64),
                          ops::arange(0, 300, 1, DType::Int64, kGpu), 0, 0));
  EXPECT_TRUE(same_values(ops::linspace(-1, 1, 101),
                          ops::linspace(-1, 1, 101, DType::Float32, kGpu), 0, 0));
}

// The point of a counter-based generator: the same (seed, offset) gives the same numbers on
// both devices, and both advance the generator alike.
TEST(CudaParity, RandomNumbersAreTheSameOnBothDevices) {
  SKIP_WITHOUT_GPU();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(std::string(dtype_name(dtype)));
    Generator cpu_gen(42), gpu_gen(42);
    cpu_gen.advance(17);
    gpu_gen.advance(17);
    // U[0, 1) is the Philox bits times 2⁻⁵³: exact on both.
    EXPECT_TRUE(same_values(ops::rand({1000, 33}, cpu_gen, dtype),
                            ops::rand({1000, 33}, gpu_gen, dtype, kGpu), 0, 0));
    EXPECT_EQ(cpu_gen.offset(), gpu_gen.offset());
    // Box–Muller goes through log and cos, whose last bits differ between libm and CUDA.
    EXPECT_TRUE(same_values(ops::randn({4096}, cpu_gen, dtype),
                            ops::randn({4096}, gpu_gen, dtype, kGpu), 1e-6, 1e-6));
    EXPECT_TRUE(same_values(ops::uniform({4096}, -3, 5, cpu_gen, dtype),
                            ops::uniform({4096}, -3, 5, gpu_gen, dtype, kGpu), 1e-7, 1e-7));
    EXPECT_TRUE(same_values(ops::dropout_mask({64, 100}, 0.3, cpu_gen, dtype),
                            ops::dropout_mask({64, 100}, 0.3, gpu_gen, dtype, kGpu), 0, 0));
    EXPECT_EQ(cpu_gen.offset(), gpu_gen.offset());
  }
  Generator cpu_gen(7), gpu_gen(7);
  EXPECT_TRUE(same_values(ops::randint(-5, 1000, {5000}, cpu_gen),
                          ops::randint(-5, 1000, {5000}, gpu_gen, kGpu), 0, 0));
}

TEST(CudaParity, CopyConvertsEveryDtypePairThroughStrides) {
  SKIP_WITHOUT_GPU();
  // In range for every dtype: float -> uint8 outside [0, 255] is undefined behaviour in C++ (x86
  // wraps, CUDA saturates).
  const Tensor base = random({6, 10}, 1, DType::Float64, -120, 120);
  const std::vector<DType> dtypes = {DType::Float32, DType::Float64, DType::Int64, DType::UInt8,
                                     DType::Bool};
  for (DType from : dtypes) {
    for (DType to : dtypes) {
      // Negative values to uint8 too: keep UInt8 sources and targets positive.
      const bool unsigned_side = from == DType::UInt8 || to == DType::UInt8;
      Tensor src = unsigned_side ? ops::abs(base).to(from) : base.to(from);
      for (const auto& [name, layout] : kLayouts) {
        expect_parity(
            std::string(dtype_name(from)) + "->" + std::string(dtype_name(to)) + " " + name,
            [&](const Tensors& in) { return layout(in[0]).to(to); }, {src}, {0, 0});
      }
    }
  }
}

TEST(CudaParity, HostDeviceRoundTripAndDeviceCopies) {
  SKIP_WITHOUT_GPU();
  const Tensor x = random({7, 9}, 2);
  const Tensor gpu = x.to(kGpu);
  EXPECT_TRUE(gpu.device().is_cuda());
  EXPECT_TRUE(same_values(x, gpu.clone(), 0, 0));  // D2D
  EXPECT_TRUE(same_values(x.transpose(0, 1).contiguous(), gpu.transpose(0, 1).contiguous(), 0, 0));
  EXPECT_DOUBLE_EQ(gpu.select(0, 3).select(0, 4).item(), x.at<float>({3, 4}));
}

// ---- elementwise -------------------------------------------------------------------------------

TEST(CudaParity, UnaryOpsOnEveryLayout) {
  SKIP_WITHOUT_GPU();
  using Unary = std::function<Tensor(const Tensor&)>;
  const std::vector<std::pair<std::string, Unary>> ops_list = {
      {"neg", [](const Tensor& x) { return ops::neg(x); }},
      {"exp", [](const Tensor& x) { return ops::exp(x); }},
      {"log", [](const Tensor& x) { return ops::log(ops::add(ops::abs(x), 0.1)); }},
      {"sqrt", [](const Tensor& x) { return ops::sqrt(ops::abs(x)); }},
      {"rsqrt", [](const Tensor& x) { return ops::rsqrt(ops::add(ops::abs(x), 0.1)); }},
      {"abs", [](const Tensor& x) { return ops::abs(x); }},
      {"sign", [](const Tensor& x) { return ops::sign(x); }},
      {"relu", [](const Tensor& x) { return ops::relu(x); }},
      {"sigmoid", [](const Tensor& x) { return ops::sigmoid(ops::mul(x, 30.0)); }},
      {"tanh", [](const Tensor& x) { return ops::tanh(x); }},
      {"gelu", [](const Tensor& x) { return ops::gelu(x); }},
      {"leaky_relu", [](const Tensor& x) { return ops::leaky_relu(x, 0.2); }},
      {"elu", [](const Tensor& x) { return ops::elu(x, 1.5); }},
      {"clamp", [](const Tensor& x) { return ops::clamp(x, -0.5, 1); }},
      {"pow_scalar", [](const Tensor& x) { return ops::pow(ops::abs(x), 1.7); }},
      {"square", [](const Tensor& x) { return ops::pow(x, 2.0); }},
      {"add_scalar", [](const Tensor& x) { return ops::add(x, 0.25); }},
      {"mul_scalar", [](const Tensor& x) { return ops::mul(x, -3.0); }},
      {"logical_not", [](const Tensor& x) { return ops::logical_not(ops::gt(x, 0.0)); }},
  };
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor base = random({6, 10}, 3, dtype);
    for (const auto& [name, op] : ops_list) {
      for (const auto& [layout_name, layout] : kLayouts) {
        expect_parity(
            name + " " + layout_name + " " + std::string(dtype_name(dtype)),
            [&](const Tensors& in) { return op(layout(in[0])); }, {base}, tolerance(dtype));
      }
    }
  }
}

TEST(CudaParity, IntegerElementwise) {
  SKIP_WITHOUT_GPU();
  const Tensor a = random({5, 8}, 4, DType::Float64, -50, 50).to(DType::Int64);
  const Tensor b = ops::add(ops::abs(random({8}, 5, DType::Float64, -9, 9).to(DType::Int64)),
                            ops::scalar(1, DType::Int64));
  const Tensor u = ops::abs(a).to(DType::UInt8);
  expect_parity_n("int64",
                  [](const Tensors& in) {
                    return Tensors{ops::add(in[0], in[1]),
                                   ops::sub(in[0], in[1]),
                                   ops::mul(in[0], in[1]),
                                   ops::div(in[0], in[1]),
                                   ops::minimum(in[0], in[1]),
                                   ops::maximum(in[0], in[1]),
                                   ops::neg(in[0]),
                                   ops::abs(in[0]),
                                   ops::sign(in[0]),
                                   ops::relu(in[0]),
                                   ops::clamp(in[0], -10, 20),
                                   ops::mul(in[0], 3.0),
                                   ops::lt(in[0], in[1]),
                                   ops::add(in[2], in[2])};
                  },
                  {a, b, u}, {0, 0});
}

TEST(CudaParity, BinaryOpsBroadcastAndCompare) {
  SKIP_WITHOUT_GPU();
  using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<std::string, Binary>> ops_list = {
      {"add", [](const Tensor& a, const Tensor& b) { return ops::add(a, b); }},
      {"sub", [](const Tensor& a, const Tensor& b) { return ops::sub(a, b); }},
      {"mul", [](const Tensor& a, const Tensor& b) { return ops::mul(a, b); }},
      {"div", [](const Tensor& a, const Tensor& b) { return ops::div(a, b); }},
      {"pow", [](const Tensor& a, const Tensor& b) { return ops::pow(ops::abs(a), b); }},
      {"minimum", [](const Tensor& a, const Tensor& b) { return ops::minimum(a, b); }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return ops::maximum(a, b); }},
      {"eq", [](const Tensor& a, const Tensor& b) { return ops::eq(a, ops::relu(b)); }},
      {"ne", [](const Tensor& a, const Tensor& b) { return ops::ne(a, b); }},
      {"lt", [](const Tensor& a, const Tensor& b) { return ops::lt(a, b); }},
      {"le", [](const Tensor& a, const Tensor& b) { return ops::le(a, b); }},
      {"gt", [](const Tensor& a, const Tensor& b) { return ops::gt(a, b); }},
      {"ge", [](const Tensor& a, const Tensor& b) { return ops::ge(a, b); }},
      {"where",
       [](const Tensor& a, const Tensor& b) { return ops::where(ops::gt(a, b), a, ops::neg(b)); }},
      {"relu_backward", [](const Tensor& a, const Tensor& b) { return ops::relu_backward(a, b); }},
      {"sigmoid_backward",
       [](const Tensor& a, const Tensor& b) { return ops::sigmoid_backward(a, b); }},
      {"tanh_backward", [](const Tensor& a, const Tensor& b) { return ops::tanh_backward(a, b); }},
      {"gelu_backward", [](const Tensor& a, const Tensor& b) { return ops::gelu_backward(a, b); }},
      {"leaky_relu_backward",
       [](const Tensor& a, const Tensor& b) { return ops::leaky_relu_backward(a, b, 0.1); }},
      {"elu_backward",
       [](const Tensor& a, const Tensor& b) { return ops::elu_backward(a, b, 0.7); }},
  };
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor a = random({4, 1, 6}, 6, dtype);       // broadcast over dim 1
    const Tensor b = random({5, 1}, 7, dtype, 0.5, 2);  // broadcast over dims 0 and 2
    for (const auto& [name, op] : ops_list) {
      expect_parity(
          name + " broadcast " + std::string(dtype_name(dtype)),
          [&](const Tensors& in) { return op(in[0], in[1]); }, {a, b}, tolerance(dtype));
      expect_parity(
          name + " transposed " + std::string(dtype_name(dtype)),
          [&](const Tensors& in) {
            return op(in[0].permute({2, 0, 1}), in[1].expand({5, 6}).transpose(0, 1).unsqueeze(1));
          },
          {a, b}, tolerance(dtype));
    }
  }
}

TEST(CudaParity, NaNPropagatesThroughMinimumAndMaximum) {
  SKIP_WITHOUT_GPU();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor a = Tensor::from_vector<double>({1, nan, 3, nan}, {4});
  const Tensor b = Tensor::from_vector<double>({nan, 2, 1, nan}, {4});
  expect_parity_n("nan",
                  [](const Tensors& in) {
                    return Tensors{ops::minimum(in[0], in[1]), ops::maximum(in[0], in[1]),
                                   ops::amax(in[0]), ops::argmax(in[0], 0), ops::argmin(in[1], 0)};
                  },
                  {a, b}, {0, 0});
}

// ---- reductions and softmax --------------------------------------------------------------------

TEST(CudaParity, ReductionsOverAnyDims) {
  SKIP_WITHOUT_GPU();
  const std::vector<Shape> dim_sets = {{}, {0}, {1}, {2}, {3}, {0, 2}, {1, 3}, {0, 1, 3}};
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = random({3, 5, 4, 7}, 8, dtype);
    for (const Shape& dims : dim_sets) {
      for (bool permuted : {false, true}) {
        expect_parity_n(
            "dims " + shape_str(dims) + (permuted ? " permuted " : " ") +
                std::string(dtype_name(dtype)),
            [&](const Tensors& in) {
              const Tensor t = permuted ? in[0].permute({2, 0, 3, 1}) : in[0];
              return Tensors{ops::sum(t, dims), ops::amax(t, dims, true), ops::amin(t, dims),
                             ops::mean(t, dims)};
            },
            {x}, tolerance(dtype));
      }
    }
    for (int64_t dim = 0; dim < 4; ++dim) {
      expect_parity_n("arg dim " + std::to_string(dim),
                      [&](const Tensors& in) {
                        const Tensor t = in[0].transpose(1, 3);
                        return Tensors{ops::argmax(t, dim), ops::argmin(t, dim, true)};
                      },
                      {x}, {0, 0});
    }
  }
}

TEST(CudaParity, LongReductionsUseWholeBlocks) {
  SKIP_WITHOUT_GPU();
  const Tensor x = random({3, 70000}, 9);
  // Ties: the first extreme index wins on both devices.
  const Tensor ties = ops::clamp(random({4, 3000}, 10, DType::Float64), -1, 1);
  expect_parity_n("long",
                  [](const Tensors& in) {
                    return Tensors{
                        ops::sum(in[0]),       ops::sum(in[0], {1}),  ops::sum(in[0], {0}),
                        ops::amax(in[0], {1}), ops::argmax(in[0], 1), ops::argmin(in[0], 1),
                        ops::argmax(in[1], 1), ops::argmin(in[1], 1), ops::amin(in[1])};
                  },
                  {x, ties}, {1e-5, 1e-3});
}

TEST(CudaParity, IntegerAndEmptyReductions) {
  SKIP_WITHOUT_GPU();
  const Tensor i = random({4, 300}, 11, DType::Float64, -100, 100).to(DType::Int64);
  const Tensor b = ops::gt(random({4, 300}, 12), 0.0);
  const Tensor empty = ops::zeros({3, 0});
  expect_parity_n("integer",
                  [](const Tensors& in) {
                    return Tensors{ops::sum(in[0], {1}),  ops::amax(in[0], {0}),
                                   ops::argmin(in[0], 1), ops::sum(in[1]),
                                   ops::sum(in[2], {1}),  ops::sum(in[2])};
                  },
                  {i, b, empty}, {0, 0});
}

TEST(CudaParity, SoftmaxFamilyAlongEveryDim) {
  SKIP_WITHOUT_GPU();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = random({4, 6, 5}, 13, dtype, -10, 10);
    const Tensor g = random({4, 6, 5}, 14, dtype);
    for (int64_t dim : {0, 1, 2}) {
      expect_parity_n(
          "softmax dim " + std::to_string(dim) + " " + std::string(dtype_name(dtype)),
          [&](const Tensors& in) {
            const Tensor xt = in[0].transpose(0, 2);  // non-contiguous: the frontend copies
            const Tensor y = ops::softmax(xt, dim), ly = ops::log_softmax(xt, dim);
            return Tensors{y, ly, ops::softmax_backward(in[1].transpose(0, 2), y, dim),
                           ops::log_softmax_backward(in[1].transpose(0, 2), ly, dim)};
          },
          {x, g}, tolerance(dtype));
    }
  }
  const Tensor logits = random({3, 5000}, 15, DType::Float32, -30, 30);  // long rows
  expect_parity("long softmax", [](const Tensors& in) { return ops::log_softmax(in[0], 1); },
                {logits}, {1e-5, 1e-4});
}

// ---- matmul and convolution --------------------------------------------------------------------

TEST(CudaParity, MatmulWithTransposedAndBroadcastOperands) {
  SKIP_WITHOUT_GPU();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor a = random({3, 7, 5}, 16, dtype);
    const Tensor b = random({3, 5, 4}, 17, dtype);
    const Tensor w = random({4, 5}, 18, dtype);
    const Tensor v = random({5}, 19, dtype);
    expect_parity_n(
        std::string("matmul ") + std::string(dtype_name(dtype)),
        [](const Tensors& in) {
          const Tensor& a = in[0];
          const Tensor& b = in[1];
          return Tensors{
              ops::matmul(a, b),                                      // batched
              ops::matmul(a, in[2].transpose(0, 1)),                  // broadcast rhs, Bᵀ
              ops::matmul(b.transpose(1, 2), a.transpose(1, 2)),      // both transposed
              ops::matmul(a.slice(2, 0, 5, 2), b.slice(1, 0, 5, 2)),  // no unit stride
              ops::matmul(a, in[3]),                                  // matrix·vector
              ops::matmul(in[3], in[2].transpose(0, 1)),              // vector·matrix
              ops::matmul(a.narrow(2, 0, 0), b.narrow(1, 0, 0)),      // k = 0
              ops::matmul(a.select(0, 1).unsqueeze(0).expand({2, 7, 5}), b.narrow(0, 0, 2))};
        },
        {a, b, w, v}, dtype == DType::Float64 ? Tolerance{1e-12, 1e-12} : Tolerance{1e-5, 1e-5});
  }
}

TEST(CudaParity, Im2colAndCol2im) {
  SKIP_WITHOUT_GPU();
  const std::vector<Conv2dParams> geometries = {
      {.kernel = {3, 3}, .padding = {1, 1}},
      {.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0}},
      {.kernel = {2, 3}, .stride = {2, 3}, .padding = {0, 2}, .dilation = {2, 1}},
  };
  const Tensor x = random({2, 3, 9, 8}, 20, DType::Float64);
  for (const Conv2dParams& p : geometries) {
    expect_parity_n("im2col/col2im",
                    [&](const Tensors& in) {
                      const Tensor cols =
                          ops::im2col(in[0].transpose(2, 3), p);  // non-contiguous input
                      return Tensors{cols, ops::col2im(cols, {2, 3, 8, 9}, p)};
                    },
                    {x}, {1e-12, 1e-12});
  }
}

#if defined(CAMLAB_WITH_CUDA)
// The fused kernels (cuda/conv2d.cu) against the fused CPU ones, called directly while
// tensor/op.h does not list them yet.
TEST(CudaParity, FusedConvolutionKernels) {
  SKIP_WITHOUT_GPU();
  struct Case {
    Shape x, w;
    Conv2dParams p;
  };
  const std::vector<Case> cases = {
      {{2, 3, 9, 8}, {4, 3, 3, 3}, {.kernel = {3, 3}, .padding = {1, 1}}},
      {{3, 4, 7, 7},
       {6, 2, 3, 2},
       {.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 1}, .groups = 2}},
      {{2, 6, 5, 5}, {3, 6, 1, 1}, {.kernel = {1, 1}}},  // cols are the input
      {{2, 2, 8, 8}, {2, 2, 3, 3}, {.kernel = {3, 3}, .dilation = {2, 2}}},
  };
  for (const Case& c : cases) {
    for (int variant = 0; variant < 3; ++variant) {  // no bias; bias; bias + the fused ReLU
      const bool bias = variant > 0;
      Conv2dParams forward_params = c.p;
      forward_params.relu = variant == 2;
      const Tensor x = random(c.x, 21, DType::Float64);
      const Tensor w = random(c.w, 22, DType::Float64);
      const Tensor b = bias ? random({c.w[0]}, 23, DType::Float64) : Tensor();
      const auto [ho, wo] = ops::conv2d_output_size(c.x, c.p);
      const Shape y_shape{c.x[0], c.w[0], ho, wo};
      const Tensor g = random(y_shape, 24, DType::Float64);
      auto run = [&](Kernel forward, Kernel back_input, Kernel back_weight, Device d) {
        Tensors out = {Tensor::empty(y_shape, DType::Float64, d),
                       Tensor::empty(c.x, DType::Float64, d),
                       Tensor::empty(c.w, DType::Float64, d)};
        Tensors fwd_in = {x.to(d), w.to(d)};
        if (bias) fwd_in.push_back(b.to(d));
        forward(KernelArgs{.inputs = fwd_in, .outputs = {out[0]}, .params = &forward_params});
        back_input(KernelArgs{.inputs = {g.to(d), w.to(d)}, .outputs = {out[1]}, .params = &c.p});
        back_weight(KernelArgs{.inputs = {g.to(d), x.to(d)}, .outputs = {out[2]}, .params = &c.p});
        return out;
      };
      const Tensors want = run(cpu::conv2d_forward, cpu::conv2d_backward_input,
                               cpu::conv2d_backward_weight, Device::cpu());
      const Tensors got = run(cuda::conv2d_forward, cuda::conv2d_backward_input,
                              cuda::conv2d_backward_weight, kGpu);
      for (size_t i = 0; i < 3; ++i) {
        EXPECT_TRUE(same_values(want[i], got[i], 1e-12, 1e-12))
            << "x " << shape_str(c.x) << " w " << shape_str(c.w) << " variant " << variant
            << " output " << i;
      }
    }
  }
}
#endif

// ---- pooling, resizing, batch norm -------------------------------------------------------------

TEST(CudaParity, PoolingForwardAndBackward) {
  SKIP_WITHOUT_GPU();
  const std::vector<Pool2dParams> windows = {
      {.kernel = {2, 2}, .stride = {2, 2}},
      {.kernel = {3, 3}, .stride = {1, 1}, .padding = {1, 1}},  // overlapping windows
      {.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0}, .count_include_pad = false},
  };
  const Tensor x = random({2, 3, 9, 8}, 25, DType::Float64);
  for (const Pool2dParams& p : windows) {
    expect_parity_n("pool",
                    [&](const Tensors& in) {
                      const Tensor xt = in[0].transpose(2, 3);  // [2, 3, 8, 9], non-contiguous
                      const auto [y, indices] = ops::max_pool2d(xt, p);
                      const Tensor avg = ops::avg_pool2d(xt, p);
                      return Tensors{
                          y, indices,
                          ops::max_pool2d_backward(ops::mul(y, 3.0), indices, xt.shape()), avg,
                          ops::avg_pool2d_backward(ops::exp(avg), xt.shape(), p)};
                    },
                    {x}, {1e-12, 1e-12});
  }
  for (std::array<int64_t, 2> size : {std::array<int64_t, 2>{1, 1}, {3, 5}, {4, 4}, {9, 8}}) {
    expect_parity_n(
        "adaptive",
        [&](const Tensors& in) {
          const Tensor y = ops::adaptive_avg_pool2d(in[0], size);
          return Tensors{y, ops::adaptive_avg_pool2d_backward(ops::exp(y), in[0].shape())};
        },
        {x}, {1e-12, 1e-12});
  }
}

TEST(CudaParity, UpsamplingForwardAndBackward) {
  SKIP_WITHOUT_GPU();
  const Tensor x = random({2, 3, 5, 7}, 26, DType::Float64);
  for (std::array<int64_t, 2> size : {std::array<int64_t, 2>{10, 14}, {7, 3}, {1, 1}, {13, 29}}) {
    for (bool align : {false, true}) {
      expect_parity_n(
          "bilinear",
          [&](const Tensors& in) {
            const Tensor y = ops::upsample_bilinear2d(in[0], size, align);
            return Tensors{y, ops::upsample_bilinear2d_backward(ops::exp(y), in[0].shape(), align)};
          },
          {x}, {1e-12, 1e-12});
    }
    expect_parity_n("nearest",
                    [&](const Tensors& in) {
                      const Tensor y = ops::upsample_nearest2d(in[0].transpose(2, 3), size);
                      return Tensors{y, ops::upsample_nearest2d_backward(
                                            ops::exp(y), in[0].transpose(2, 3).shape())};
                    },
                    {x}, {1e-12, 1e-12});
  }
}

TEST(CudaParity, BatchNormTrainingAndEval) {
  SKIP_WITHOUT_GPU();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = random({4, 3, 5, 6}, 27, dtype, -1, 5);
    const Tensor weight = random({3}, 28, dtype, 0.5, 2);
    const Tensor bias = random({3}, 29, dtype);
    const Tensor g = random({4, 3, 5, 6}, 30, dtype);
    for (bool training : {true, false}) {
      expect_parity_n(
          std::string(training ? "train " : "eval ") + std::string(dtype_name(dtype)),
          [&](const Tensors& in) {
            const Tensor running_mean = ops::zeros({3}, dtype, in[0].device());
            const Tensor running_var = ops::ones({3}, dtype, in[0].device());
            const Tensor xt = in[0].transpose(2, 3);  // [4, 3, 6, 5] strided
            const auto r =
                ops::batch_norm(xt, in[1], in[2], running_mean, running_var, training, 0.1, 1e-5);
            const auto grads = ops::batch_norm_backward(in[3].transpose(2, 3), xt, in[1],
                                                        r.save_mean, r.save_invstd, training);
            return Tensors{r.y,         r.save_mean,  r.save_invstd,     running_mean,
                           running_var, grads.grad_x, grads.grad_weight, grads.grad_bias};
          },
          {x, weight, bias, g},
          dtype == DType::Float64 ? Tolerance{1e-11, 1e-11} : Tolerance{1e-4, 1e-4});
    }
  }
  // [N, C] input: S = 1.
  expect_parity_n("2-d",
                  [](const Tensors& in) {
                    const auto r = ops::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(),
                                                   true, 0.1, 1e-5);
                    return Tensors{r.y, r.save_mean};
                  },
                  {random({16, 5}, 31, DType::Float64)}, {1e-12, 1e-12});
}

// ---- indexing ----------------------------------------------------------------------------------

TEST(CudaParity, IndexSelectGatherScatterAddMaskedFill) {
  SKIP_WITHOUT_GPU();
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64, DType::UInt8}) {
    SCOPED_TRACE(std::string(dtype_name(dtype)));
    const Tensor x = ops::abs(random({5, 6, 4}, 32, DType::Float64, -20, 20)).to(dtype);
    const Tensor pick = Tensor::from_vector<int64_t>({4, 0, 0, 3, 1}, {5});
    Generator gen(33);
    const Tensor index = ops::randint(0, 5, {3, 6, 4}, gen);  // duplicates: colliding adds
    const Tensor src = ops::abs(random({3, 6, 4}, 34, DType::Float64, -9, 9)).to(dtype);
    const Tensor mask = ops::gt(random({6, 1}, 35), 0.0);
    const Tolerance tol = is_floating(dtype) ? tolerance(dtype) : Tolerance{0, 0};
    expect_parity_n(
        "index",
        [&](const Tensors& in) {
          const Tensor xt = in[0].transpose(0, 1);  // [6, 5, 4]
          return Tensors{ops::index_select(xt, 1, in[1]),
                         ops::index_select(in[0], 0, in[1].slice(0, 0, 5, 2)),
                         ops::gather(in[0], 0, in[2]),
                         ops::gather(xt, 1, in[2].transpose(0, 1)),
                         ops::scatter_add(in[0], 0, in[2], in[3]),
                         ops::scatter_add(xt, 1, in[2].transpose(0, 1), in[3].transpose(0, 1)),
                         ops::masked_fill(in[0], in[4].unsqueeze(0).expand({5, 6, 4}), 7),
                         ops::masked_select(in[0], in[4].unsqueeze(0)),
                         ops::cat({in[0], xt.transpose(0, 1)}, 2)};
        },
        {x, pick, index, src, mask}, tol);
  }
}

// ---- allocator and pinned memory ---------------------------------------------------------------

#if defined(CAMLAB_WITH_CUDA)
TEST(CudaAllocator, SecondAllocationOfASizeReusesTheBlock) {
  SKIP_WITHOUT_GPU();
  cuda::empty_cache();
  const cuda::AllocatorStats start = cuda::allocator_stats();
  EXPECT_EQ(start.bytes_cached, 0u);
  { Tensor first = Tensor::empty({1000, 1000}, DType::Float32, kGpu); }  // a miss, then cached
  const cuda::AllocatorStats after_first = cuda::allocator_stats();
  EXPECT_EQ(after_first.device_mallocs, start.device_mallocs + 1);
  EXPECT_GE(after_first.bytes_cached, 4000000u);
  EXPECT_GE(after_first.peak_bytes_in_use, 4000000u);
  {
    Tensor second = Tensor::empty({1000, 1000}, DType::Float32, kGpu);
    const cuda::AllocatorStats during = cuda::allocator_stats();
    EXPECT_EQ(during.device_mallocs, after_first.device_mallocs) << "no cudaMalloc on a hit";
    EXPECT_EQ(during.cache_hits, after_first.cache_hits + 1);
    EXPECT_EQ(during.bytes_in_use, start.bytes_in_use + cuda::size_class(4000000));
  }
  cuda::empty_cache();
  EXPECT_EQ(cuda::allocator_stats().bytes_cached, 0u);
  EXPECT_EQ(cuda::allocator_stats().bytes_in_use, start.bytes_in_use);
}

TEST(CudaAllocator, OutOfMemoryIsAnErrorWithTheNumbers) {
  SKIP_WITHOUT_GPU();
  try {
    Tensor::empty({int64_t{1} << 48}, DType::Float32, kGpu);  // 1 PiB
    FAIL() << "expected an out-of-memory Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("CUDA out of memory: asked for 1.0 PiB with ", 0), 0u) << message;
    EXPECT_NE(message.find("in use); free cached blocks with cuda::empty_cache()"),
              std::string::npos)
        << message;
  }
  // The device is still usable afterwards.
  EXPECT_DOUBLE_EQ(ops::sum(ops::ones({10}, DType::Float32, kGpu)).item(), 10.0);
}

TEST(CudaAllocator, PinnedBuffersAreCpuTensorsThatCopyToTheGpu) {
  SKIP_WITHOUT_GPU();
  const Tensor values = random({16, 3, 4}, 36);
  Tensor pinned = cuda::pinned_empty({16, 3, 4}, DType::Float32);
  EXPECT_TRUE(pinned.device().is_cpu());
  EXPECT_TRUE(cuda::is_pinned(pinned));
  EXPECT_FALSE(cuda::is_pinned(values));
  pinned.copy_(values);
  EXPECT_TRUE(same_values(values, pinned.to(kGpu), 0, 0));

  cuda::PinnedBuffer staging;
  Tensor small = staging.tensor({4, 5}, DType::Float64);
  const size_t capacity = staging.capacity();
  EXPECT_EQ(capacity, 4u * 5u * 8u);
  Tensor smaller = staging.tensor({2, 5}, DType::Float64);  // fits: same bytes
  EXPECT_EQ(staging.capacity(), capacity);
  EXPECT_EQ(smaller.raw_data(), small.raw_data());
  Tensor larger = staging.tensor({100}, DType::Float64);  // grows
  EXPECT_EQ(staging.capacity(), 800u);
  EXPECT_TRUE(cuda::is_pinned(larger));
}

// The copy stream's ordering (tensor/cuda/upload.cu): a block freed while kernels queued on
// camlab's stream still read it goes back to the cache at once, and an Upload is likely to get it.
// The upload must wait for those kernels, or the sum below would read the uploaded 2s.
TEST(CudaUpload, CopiesNeverOverwriteABlockStillReadByQueuedKernels) {
  SKIP_WITHOUT_GPU();
  const Shape shape{512, 1024};                             // 2 MiB of float32
  Tensor twos = cuda::pinned_empty(shape, DType::Float32);  // [512, 1024] pinned host
  twos.copy_(ops::full(shape, 2.0));
  cuda::empty_cache();  // no 2 MiB block cached but the one freed below
  for (int round = 0; round < 10; ++round) {
    Tensor total;             // [] on the GPU, queued
    const void* freed_block;  // where `ones` lived
    {
      Tensor ones = ops::ones(shape, DType::Float32, kGpu);  // [512, 1024]
      freed_block = ones.raw_data();
      Tensor busy = ops::ones({2048, 2048}, DType::Float32, kGpu);  // [2048, 2048]
      for (int k = 0; k < 8; ++k) busy = ops::matmul(busy, busy);   // milliseconds of queue
      total = ops::sum(ones);                                       // queued behind the matmuls
    }  // `ones` is freed on the host while the sum that reads it is still queued
    cuda::Upload upload(twos, kGpu);
    const Tensor uploaded = upload.wait();  // [512, 1024] on the GPU
    EXPECT_TRUE(uploaded.device().is_cuda());
    EXPECT_EQ(uploaded.raw_data(), freed_block)
        << "the upload got the freed block: the case tested";
    EXPECT_EQ(total.item(), 512.0 * 1024.0) << "round " << round;
    EXPECT_EQ(ops::sum(uploaded).item(), 2.0 * 512.0 * 1024.0) << "round " << round;
  }
  // Pageable memory takes the synchronous path and arrives all the same.
  const Tensor pageable = random({7, 9}, 41);
  cuda::Upload synchronous(pageable, kGpu);
  EXPECT_TRUE(same_values(pageable, synchronous.wait(), 0, 0));
  EXPECT_FALSE(synchronous.pending());
}
#endif

#if defined(CAMLAB_WITH_CUDA)
// Not part of the suite (DISABLED_): docs/cuda.md runs it on a GPU machine with
//   tensor_tests --gtest_also_run_disabled_tests --gtest_filter='CudaTiming.*'
// Best of 20 timed calls after a warm-up, in ms and GFLOP/s, for the reference convolution layer
// of bench/conv2d_speed.cpp (batch 64, 32 -> 32 channels, 28x28, 3x3, padding 1, float32) and a
// 4096² matmul; the CPU's fused forward once for scale.
TEST(CudaTiming, DISABLED_Conv2dAndMatmul) {
  SKIP_WITHOUT_GPU();
  auto best_ms = [](int repetitions, const std::function<void()>& run) {
    run();
    cuda::synchronize();
    double best = 1e30;
    for (int i = 0; i < repetitions; ++i) {
      const auto start = std::chrono::steady_clock::now();
      run();
      cuda::synchronize();
      const std::chrono::duration<double, std::milli> took =
          std::chrono::steady_clock::now() - start;
      best = std::min(best, took.count());
    }
    return best;
  };
  auto report = [](const char* what, double ms, double flops) {
    std::printf("%-34s %9.3f ms %9.1f GFLOP/s\n", what, ms, flops / (ms * 1e6));
    EXPECT_GT(ms, 0) << what;
  };
  Generator gen(0);
  const Conv2dParams p{.kernel = {3, 3}, .padding = {1, 1}};
  const Tensor x = ops::randn({64, 32, 28, 28}, gen, DType::Float32, kGpu);  // [N, C, H, W]
  const Tensor w = ops::randn({32, 32, 3, 3}, gen, DType::Float32, kGpu);    // [O, C, kh, kw]
  const Tensor b = ops::randn({32}, gen, DType::Float32, kGpu);
  const Tensor dy = ops::randn({64, 32, 28, 28}, gen, DType::Float32, kGpu);  // [N, O, Ho, Wo]
  const Tensor y = Tensor::empty(dy.shape(), DType::Float32, kGpu);
  const Tensor dx = Tensor::empty(x.shape(), DType::Float32, kGpu);
  const Tensor dw = Tensor::empty(w.shape(), DType::Float32, kGpu);
  const double conv_flops = 2.0 * 64 * 32 * (32 * 9) * (28 * 28);
  report(
      "conv2d forward (fused)",
      best_ms(20,
              [&] {
                cuda::conv2d_forward(KernelArgs{.inputs = {x, w, b}, .outputs = {y}, .params = &p});
              }),
      conv_flops);
  report("conv2d backward input (fused)",
         best_ms(20,
                 [&] {
                   cuda::conv2d_backward_input(
                       KernelArgs{.inputs = {dy, w}, .outputs = {dx}, .params = &p});
                 }),
         conv_flops);
  report("conv2d backward weight (fused)",
         best_ms(20,
                 [&] {
                   cuda::conv2d_backward_weight(
                       KernelArgs{.inputs = {dy, x}, .outputs = {dw}, .params = &p});
                 }),
         conv_flops);
  report("conv2d forward (im2col + matmul)",
         best_ms(20,
                 [&] {
                   ops::matmul(w.reshape({32, 288}), ops::im2col(x, p));
                 }),
         conv_flops);
  const Tensor a = ops::randn({4096, 4096}, gen, DType::Float32, kGpu);
  const Tensor c = ops::randn({4096, 4096}, gen, DType::Float32, kGpu);
  report("matmul 4096x4096x4096", best_ms(20, [&] { ops::matmul(a, c); }),
         2.0 * 4096 * 4096 * 4096);
  report("matmul 4096² with Bᵀ view", best_ms(20, [&] { ops::matmul(a, c.transpose(0, 1)); }),
         2.0 * 4096 * 4096 * 4096);

  const Tensor x_cpu = x.to(Device::cpu()), w_cpu = w.to(Device::cpu()),
               b_cpu = b.to(Device::cpu());
  const Tensor y_cpu = Tensor::empty(dy.shape());
  report("CPU conv2d forward (fused)",
         best_ms(3,
                 [&] {
                   cpu::conv2d_forward(KernelArgs{
                       .inputs = {x_cpu, w_cpu, b_cpu}, .outputs = {y_cpu}, .params = &p});
                 }),
         conv_flops);
  EXPECT_TRUE(same_values(y_cpu, y, 1e-4, 1e-3)) << "fused CUDA forward against the CPU";
}
#endif

TEST(CudaParity, MixingDevicesIsAnErrorNamingBoth) {
  SKIP_WITHOUT_GPU();
  try {
    ops::add(ops::ones({3}), ops::ones({3}, DType::Float32, kGpu));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cuda:0"), std::string::npos) << message;
    EXPECT_NE(message.find("cpu"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace camlab
