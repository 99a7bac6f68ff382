// Gradients through autograd on CUDA against the CPU: for each differentiable op, the same
// float64 inputs on both devices, the loss Σ f(x)·v with the same random projection v (the
// counter-based RNG gives both devices the same v), and every input gradient compared; and every
// case of the op-case table (tests/tensor/op_cases.h), values and gradients. Skips at run time
// without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "tensor/cuda/device.h"
#include "tests/tensor/op_cases.h"

namespace camlab {
namespace {

#define SKIP_WITHOUT_GPU()                                                \
  do {                                                                    \
    if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device here"; \
  } while (false)

using Tensors = std::vector<Tensor>;
using Fn = std::function<Tensor(const Tensors&)>;

// |got − want| ≤ atol + rtol·|want| everywhere, got on CUDA and want on the CPU.
::testing::AssertionResult same_values(const Tensor& want, const Tensor& got, double rtol,
                                       double atol) {
  if (!want.defined() || !got.defined()) {
    return want.defined() == got.defined()
               ? ::testing::AssertionSuccess()
               : ::testing::AssertionFailure() << "a gradient is missing on one device";
  }
  if (!got.device().is_cuda()) return ::testing::AssertionFailure() << "result is not on CUDA";
  if (want.shape() != got.shape()) {
    return ::testing::AssertionFailure()
           << "CPU shape " << shape_str(want.shape()) << ", CUDA shape " << shape_str(got.shape());
  }
  const Tensor w = want.to(DType::Float64).contiguous();
  const Tensor g = got.to(Device::cpu()).to(DType::Float64).contiguous();
  for (int64_t i = 0; i < w.numel(); ++i) {
    const double a = w.data<double>()[i], b = g.data<double>()[i];
    if (std::abs(a - b) <= atol + rtol * std::abs(a) || (std::isnan(a) && std::isnan(b))) continue;
    return ::testing::AssertionFailure()
           << "first difference at flat index " << i << ": CPU " << a << ", CUDA " << b
           << " (shape " << shape_str(want.shape()) << ")";
  }
  return ::testing::AssertionSuccess();
}

struct Run {
  Tensor output;
  Tensors grads;
};

// f on leaves copied to `device`, then backward of Σ f·v. The floating inputs require grad, or
// those that `differentiated` marks when it is given.
Run run_on(Device device, const Fn& f, const Tensors& inputs,
           const std::vector<bool>& differentiated) {
  Tensors leaves;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor leaf = inputs[i].to(device).clone();
    const bool wanted = differentiated.empty() ? is_floating(leaf.dtype()) : differentiated[i];
    if (wanted) leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }
  const Tensor out = f(leaves);
  Generator gen(99);
  const Tensor v = ops::uniform(out.shape(), -1, 1, gen, out.dtype(), device);
  backward(sum(mul(out, v)));
  Run run{.output = out};
  for (const Tensor& leaf : leaves)
    run.grads.push_back(leaf.requires_grad() ? leaf.grad() : Tensor());
  return run;
}

void expect_grad_parity(const std::string& what, const Fn& f, const Tensors& inputs,
                        double tol = 1e-10, const std::vector<bool>& differentiated = {}) {
  const Run want = run_on(Device::cpu(), f, inputs, differentiated);
  const Run got = run_on(Device::cuda(0), f, inputs, differentiated);
  EXPECT_TRUE(same_values(want.output, got.output, tol, tol)) << what << ": forward";
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (want.grads[i].defined() || (differentiated.empty() && is_floating(inputs[i].dtype()))) {
      EXPECT_TRUE(want.grads[i].defined()) << what << ": input " << i << " got no gradient";
    }
    EXPECT_TRUE(same_values(want.grads[i], got.grads[i], tol, tol))
        << what << ": grad of input " << i;
  }
}

Tensor random(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator gen(seed);
  return ops::uniform(shape, low, high, gen, DType::Float64);
}

TEST(CudaGradParity, ElementwiseAndActivations) {
  SKIP_WITHOUT_GPU();
  const Tensor a = random({4, 1, 6}, 1);
  const Tensor b = random({5, 1}, 2, 0.5, 2);
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"arithmetic",
       [](const Tensors& in) {
         return (in[0] + in[1]) * in[1] - in[0] / in[1] + 2.0 * neg(in[0]);
       }},
      {"pow", [](const Tensors& in) { return pow(abs(in[0]) + 0.5, in[1]) + pow(in[1], 3.0); }},
      {"min/max", [](const Tensors& in) { return minimum(in[0], in[1]) + maximum(in[0], -in[1]); }},
      {"exp/log/sqrt",
       [](const Tensors& in) {
         return exp(in[0]) + log(in[1]) + sqrt(in[1]) + rsqrt(in[1]) + abs(in[0]);
       }},
      {"activations",
       [](const Tensors& in) {
         const Tensor x = transpose(in[0], 0, 2) * 3.0;  // [6, 1, 4], from a non-contiguous view
         // [6, 5, 4]: in[1] [5, 1] scales the sum, so both inputs get a gradient
         return (relu(x) + leaky_relu(x, 0.1) + elu(x, 0.8) + gelu(x) + sigmoid(x) + tanh(x) +
                 clamp(x, -0.5, 0.7)) *
                in[1];
       }},
      {"where",
       [](const Tensors& in) {
         const Tensor zero = ops::scalar(0, DType::Float64, in[0].device());
         return where(ops::gt(in[0], zero), in[0] * in[1], in[1]);
       }},
  };
  for (const auto& [name, f] : cases) expect_grad_parity(name, f, {a, b});
}

TEST(CudaGradParity, ViewsAndJoins) {
  SKIP_WITHOUT_GPU();
  expect_grad_parity(
      "views",
      [](const Tensors& in) {
        const Tensor& x = in[0];  // [3, 4, 5]
        // [3, 4, 5]: rows 0-1, rows 1 and 3, row 3 again
        const Tensor parts =
            cat({narrow(x, 1, 0, 2), slice(x, 1, 1, 4, 2), unsqueeze(select(x, 1, 3), 1)}, 1);
        const Tensor a = flatten(permute(parts, {2, 0, 1}), 1);  // [5, 15]
        const Tensor b = reshape(expand(narrow(x, 0, 0, 1), {5, 4, 5}), {5, 20});
        // [5, 15]: the first 15 columns of b, read through a transposed copy
        const Tensor c = transpose(narrow(contiguous(transpose(b, 0, 1)), 0, 0, 15), 0, 1);
        return stack({a, c}, 0);  // [2, 5, 15]
      },
      {random({3, 4, 5}, 3)});
}

TEST(CudaGradParity, Reductions) {
  SKIP_WITHOUT_GPU();
  const Tensor x = random({3, 5, 4}, 4, -2, 2);
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"sum/mean",
       [](const Tensors& in) {
         return sum(in[0], {0, 2}) + mean(transpose(in[0], 0, 1), {1, 2});
       }},
      {"amax/amin", [](const Tensors& in) { return amax(in[0], {1}) + amin(in[0], {1}); }},
      {"max/min",
       [](const Tensors& in) {
         return max(in[0], 2).first + squeeze(min(in[0], 2, true).first, 2);
       }},
      {"var/std/norm",
       [](const Tensors& in) {
         return var(in[0], {1}) + std(in[0], {1}, 0) + norm(in[0], 2, {1}) + norm(in[0], 3, {1});
       }},
      {"logsumexp", [](const Tensors& in) { return logsumexp(in[0], {2}); }},
      {"softmax",
       [](const Tensors& in) { return softmax(in[0], 1) + sum(log_softmax(in[0], 2), {2}, true); }},
  };
  for (const auto& [name, f] : cases) expect_grad_parity(name, f, {x});
}

TEST(CudaGradParity, MatmulAndLinear) {
  SKIP_WITHOUT_GPU();
  expect_grad_parity("matmul",
                     [](const Tensors& in) {
                       return matmul(in[0], transpose(in[1], 1, 2)) +
                              unsqueeze(matmul(in[0], in[2]), 2);
                     },
                     {random({2, 6, 4}, 5), random({2, 3, 4}, 6), random({4}, 7)});
  expect_grad_parity("linear", [](const Tensors& in) { return tanh(linear(in[0], in[1], in[2])); },
                     {random({8, 5}, 8), random({3, 5}, 9), random({3}, 10)});
}

// Needs tensor/ops/conv2d.cpp to run the fused kernels on CUDA (see docs/cuda.md).
TEST(CudaGradParity, Conv2d) {
  SKIP_WITHOUT_GPU();
  const Conv2dParams p{.kernel = {3, 3}, .stride = {2, 1}, .padding = {1, 1}, .groups = 2};
  expect_grad_parity("conv2d", [p](const Tensors& in) { return conv2d(in[0], in[1], in[2], p); },
                     {random({2, 4, 7, 6}, 11), random({6, 2, 3, 3}, 12), random({6}, 13)});
}

TEST(CudaGradParity, PoolingAndResizing) {
  SKIP_WITHOUT_GPU();
  const Tensor x = random({2, 3, 7, 6}, 14);
  const Pool2dParams overlapping{.kernel = {3, 3}, .stride = {2, 1}, .padding = {1, 1}};
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"max_pool2d", [&](const Tensors& in) { return max_pool2d(in[0], overlapping); }},
      {"avg_pool2d",
       [&](const Tensors& in) { return avg_pool2d(transpose(in[0], 2, 3), overlapping); }},
      {"adaptive_avg_pool2d",
       [](const Tensors& in) {
         return adaptive_avg_pool2d(in[0], {3, 4});
       }},
      {"bilinear",
       [](const Tensors& in) {
         return upsample_bilinear2d(in[0], {11, 13}, false);
       }},
      {"bilinear aligned",
       [](const Tensors& in) {
         return upsample_bilinear2d(in[0], {5, 9}, true);
       }},
      {"nearest",
       [](const Tensors& in) {
         return upsample_nearest2d(in[0], {10, 4});
       }},
  };
  for (const auto& [name, f] : cases) expect_grad_parity(name, f, {x});
}

TEST(CudaGradParity, BatchNormAndDropout) {
  SKIP_WITHOUT_GPU();
  for (bool training : {true, false}) {
    expect_grad_parity(training ? "batch_norm train" : "batch_norm eval",
                       [training](const Tensors& in) {
                         const Tensor running_mean =
                             ops::zeros({3}, DType::Float64, in[0].device());
                         const Tensor running_var = ops::ones({3}, DType::Float64, in[0].device());
                         return batch_norm(transpose(in[0], 2, 3), in[1], in[2], running_mean,
                                           running_var, training);
                       },
                       {random({4, 3, 5, 6}, 15), random({3}, 16, 0.5, 2), random({3}, 17)});
  }
  // The same generator state gives the same mask on both devices.
  expect_grad_parity("dropout",
                     [](const Tensors& in) {
                       Generator gen(5);
                       return dropout(in[0], 0.4, true, gen);
                     },
                     {random({16, 20}, 18)});
}

TEST(CudaGradParity, IndexingAndLosses) {
  SKIP_WITHOUT_GPU();
  const Tensor x = random({5, 6}, 19);
  // [2, 6], repeated rows: colliding scatters
  const Tensor index = Tensor::from_vector<int64_t>({4, 0, 0, 3, 1, 2, 2, 0, 4, 1, 3, 3}, {2, 6});
  const Tensor mask = Tensor::from_vector<bool>({true, false, false, true, true, false}, {6});
  expect_grad_parity("index",
                     [](const Tensors& in) {
                       return sum(index_select(in[0], 0, in[1].select(0, 0)), {0}) +
                              sum(gather(in[0], 0, in[1]), {0}) +
                              sum(scatter_add(in[0], 0, in[1], in[3]), {0}) +
                              sum(masked_fill(in[0], in[2], 0.5), {0});
                     },
                     {x, index, mask, random({2, 6}, 20)});

  const Tensor logits = random({6, 4}, 21, -3, 3);
  const Tensor target = Tensor::from_vector<int64_t>({0, 3, 1, 1, 2, 0}, {6});
  expect_grad_parity(
      "losses",
      [](const Tensors& in) {
        const Device device = in[0].device();
        Generator gen(22);  // the same multi-hot target on both devices
        const Tensor multi_hot = ops::gt(ops::rand({6, 4}, gen, DType::Float64, device),
                                         ops::scalar(0.5, DType::Float64, device))
                                     .to(DType::Float64);
        return cross_entropy(in[0], in[1], Tensor(), 0.1) + nll_loss(log_softmax(in[0], 1), in[1]) +
               binary_cross_entropy_with_logits(in[0], multi_hot) + mse_loss(in[0], multi_hot);
      },
      {logits, target});
}

// Every kernel Op through its case: gradients of the differentiable cases, the values of the rest
// (float32 creation ops within float32 rounding).
TEST(CudaGradParity, EveryOpCase) {
  SKIP_WITHOUT_GPU();
  for (const test::OpCase& c : test::op_cases()) {
    const Tensors inputs = test::make_inputs(c, DType::Float64, Device::cpu(), 12);
    if (c.differentiable) {
      std::vector<bool> differentiated;
      for (const test::OpInput& spec : c.inputs)
        differentiated.push_back(test::is_differentiated(spec));
      expect_grad_parity(
          c.name, [&c](const Tensors& in) { return c.run(in, in[0].device())[0]; }, inputs, 1e-10,
          differentiated);
      continue;
    }
    Tensors gpu_inputs;
    for (const Tensor& t : inputs) gpu_inputs.push_back(t.to(Device::cuda(0)));
    const Tensors want = c.run(inputs, Device::cpu());
    const Tensors got = c.run(gpu_inputs, Device::cuda(0));
    ASSERT_EQ(want.size(), got.size()) << c.name;
    for (size_t o = 0; o < want.size(); ++o) {
      const double tol = want[o].dtype() == DType::Float64 ? 1e-10 : 2e-5;
      EXPECT_TRUE(same_values(want[o], got[o], tol, tol)) << c.name << ": output " << o;
    }
  }
}

}  // namespace
}  // namespace camlab
