// The op-case table (tests/tensor/op_cases.h) driven through its CPU checks: it covers every kernel
// Op, matches PyTorch's values (tests/fixtures/op_cases.h5, tools/op_cases.py) and passes gradcheck
// in double. CUDA parity of every case is CudaGradParity.EveryOpCase
// (tests/autograd/cuda_grad_parity_test.cpp).
#include "tests/tensor/op_cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"
#include "tests/support/values.h"

namespace camlab::test {
namespace {

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
      if (is_differentiated(c.inputs[i])) inputs[i].set_requires_grad(true);
    }
    const autograd::GradcheckResult r = autograd::gradcheck(
        [&c](const Tensors& in) { return c.run(in, Device::cpu())[0]; }, inputs);
    EXPECT_TRUE(r.ok) << r.message;
  }
}

}  // namespace
}  // namespace camlab::test
