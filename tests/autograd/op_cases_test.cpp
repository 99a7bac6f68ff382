// The op-case table (tests/tensor/op_cases.h) driven through every check: it covers every kernel
// Op, matches PyTorch's values (tests/fixtures/op_cases.h5, tools/make_fixtures.py), passes
// gradcheck in double, and gives the CPU's values and gradients on CUDA (skips without a GPU).
#include "tests/tensor/op_cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tensor/cuda/device.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"
#include "tests/support/values.h"

namespace camlab::test {
namespace {

bool differentiated(const OpInput& spec) {
  return spec.kind == InputKind::Float || spec.kind == InputKind::Positive;
}

// |got − want| ≤ tol·(1 + |want|) everywhere, tol by the dtype (float32 kernels may sum in another
// order on the GPU; creation ops are float32 whatever the loop's dtype); names the first difference.
::testing::AssertionResult close(const Tensor& want, const Tensor& got) {
  if (want.shape() != got.shape()) {
    return ::testing::AssertionFailure() << "shape " << shape_str(got.shape()) << ", expected "
                                         << shape_str(want.shape());
  }
  const double tol = want.dtype() == DType::Float64 ? 1e-10 : 2e-5;
  const std::vector<double> w = values(want), g = values(got);
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::abs(g[i] - w[i]) <= tol + tol * std::abs(w[i])) continue;
    if (std::isnan(g[i]) && std::isnan(w[i])) continue;
    return ::testing::AssertionFailure()
           << "first difference at flat index " << i << ": expected " << w[i] << ", got " << g[i];
  }
  return ::testing::AssertionSuccess();
}

TEST(OpCases, EveryKernelOpHasACase) {
  const std::vector<std::string> missing = ops_without_case();
  EXPECT_TRUE(missing.empty()) << "ops with no case in tests/tensor/op_cases.cpp: "
                               << fmt::format("{}", fmt::join(missing, ", "));
}

TEST(OpCases, NamesAreUniqueAndGradientViaNamesADifferentiableCase) {
  std::set<std::string> names, differentiable;
  for (const OpCase& c : op_cases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "two cases named " << c.name;
    if (c.differentiable) differentiable.insert(c.name);
  }
  for (const OpCase& c : op_cases()) {
    if (c.gradient_via.empty()) continue;
    EXPECT_TRUE(differentiable.count(c.gradient_via))
        << c.name << ": gradient_via '" << c.gradient_via << "' is no differentiable case";
  }
}

// Inputs read from the fixture group, as the case's kinds want them (float64, int64 or bool).
Tensors fixture_inputs(const Fixture& f, const OpCase& c) {
  Tensors inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const std::string path = fmt::format("{}/in{}", c.name, i);
    const Array a = f.array(path);
    EXPECT_EQ(Shape(a.shape.begin(), a.shape.end()), c.inputs[i].shape)
        << path << ": the fixture and the case disagree on the shape; rerun "
        << "tools/make_fixtures.py after changing either";
    Tensor t = Tensor::from_vector<double>(a.values, Shape(a.shape.begin(), a.shape.end()));
    if (c.inputs[i].kind == InputKind::Index) t = t.to(DType::Int64);
    if (c.inputs[i].kind == InputKind::Mask) t = t.to(DType::Bool);
    inputs.push_back(t);
  }
  return inputs;
}

TEST(OpCases, MatchPyTorchFixtures) {
  const Fixture f("op_cases.h5");
  std::set<std::string> expected;
  for (const OpCase& c : op_cases()) {
    if (!c.fixture) continue;
    SCOPED_TRACE(c.name);
    expected.insert(c.name);
    ASSERT_TRUE(f.has(c.name)) << "op_cases.h5 has no group " << c.name
                               << "; add it to tools/make_fixtures.py";
    const Tensors outputs = c.run(fixture_inputs(f, c), Device::cpu());
    for (size_t o = 0; o < outputs.size(); ++o) {
      const Array want = f.array(fmt::format("{}/out{}", c.name, o));
      EXPECT_TRUE(all_close(values(outputs[o]), want, 1e-9, 1e-10)) << "output " << o;
    }
  }
  for (const std::string& group : f.cases()) {
    EXPECT_TRUE(expected.count(group)) << "op_cases.h5 group " << group << " matches no case";
  }
}

TEST(OpCases, GradcheckInDouble) {
  for (const OpCase& c : op_cases()) {
    if (!c.differentiable) continue;
    SCOPED_TRACE(c.name);
    Tensors inputs = make_inputs(c, DType::Float64, Device::cpu(), 11);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (differentiated(c.inputs[i])) inputs[i].set_requires_grad(true);
    }
    const autograd::GradcheckResult r = autograd::gradcheck(
        [&c](const Tensors& in) { return c.run(in, Device::cpu())[0]; }, inputs);
    EXPECT_TRUE(r.ok) << r.message;
  }
}

struct DeviceRun {
  Tensors outputs;
  Tensors grads;  // per input; undefined where none
};

// The case on `device`; for a differentiable case, also backward of Σ out₀·v with the same v.
DeviceRun run_on(const OpCase& c, const Tensors& cpu_inputs, Device device) {
  Tensors inputs;
  for (size_t i = 0; i < cpu_inputs.size(); ++i) {
    Tensor t = cpu_inputs[i].to(device).clone();  // a leaf of this run only
    if (c.differentiable && differentiated(c.inputs[i])) t.set_requires_grad(true);
    inputs.push_back(t);
  }
  DeviceRun run{.outputs = c.run(inputs, device)};
  if (!c.differentiable) return run;
  const Tensor& out = run.outputs[0];
  Generator gen(99);
  const Tensor v = ops::uniform(out.shape(), -1, 1, gen, out.dtype(), device);
  backward(sum(mul(out, v)));
  for (const Tensor& t : inputs) run.grads.push_back(t.requires_grad() ? t.grad() : Tensor());
  return run;
}

TEST(OpCases, CudaGivesTheCpuValuesAndGradients) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device here";
  for (DType dtype : {DType::Float32, DType::Float64}) {
    for (const OpCase& c : op_cases()) {
      SCOPED_TRACE(fmt::format("{} {}", c.name, dtype_name(dtype)));
      const Tensors inputs = make_inputs(c, dtype, Device::cpu(), 12);
      const DeviceRun want = run_on(c, inputs, Device::cpu());
      const DeviceRun got = run_on(c, inputs, Device::cuda(0));
      ASSERT_EQ(want.outputs.size(), got.outputs.size());
      for (size_t o = 0; o < want.outputs.size(); ++o) {
        EXPECT_TRUE(close(want.outputs[o], got.outputs[o])) << "output " << o;
      }
      for (size_t i = 0; i < want.grads.size(); ++i) {
        if (!want.grads[i].defined()) continue;
        EXPECT_TRUE(close(want.grads[i], got.grads[i])) << "gradient of input " << i;
      }
    }
  }
}

}  // namespace
}  // namespace camlab::test
