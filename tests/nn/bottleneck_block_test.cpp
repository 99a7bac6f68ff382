// BottleneckBlock (nn/bottleneck_block.h) against torchvision's Bottleneck
// (tests/fixtures/bottleneck.h5, tools/make_fixtures.py's make_bottleneck): the state dict loads by
// torchvision's keys, then eval and train outputs and every gradient match.
#include "nn/bottleneck_block.h"

#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"

namespace camlab::nn {
namespace {

using camlab::test::Array;
using camlab::test::Fixture;
using test::values;

Tensor tensor_of(const Array& a, DType dtype) {
  Tensor t = Tensor::from_vector<double>(a.values, Shape(a.shape.begin(), a.shape.end()));
  return t.to(dtype);
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

TEST(BottleneckBlock, UsesTorchvisionNamesAndShapes) {
  Generator gen(1);
  BottleneckBlock down(8, 4, 16, 2, gen);
  EXPECT_EQ(down.named_parameters().keys(),
            (std::vector<std::string>{"conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight",
                                      "bn2.weight", "bn2.bias", "conv3.weight", "bn3.weight",
                                      "bn3.bias", "downsample.0.weight", "downsample.1.weight",
                                      "downsample.1.bias"}));
  EXPECT_EQ(down.conv2->weight.shape(), (Shape{4, 4, 3, 3}));
  EXPECT_EQ(down(ops::randn({2, 8, 7, 7}, gen)).shape(), (Shape{2, 16, 4, 4}));
  BottleneckBlock same(16, 4, 16, 1, gen);
  EXPECT_EQ(same.downsample, nullptr);
  EXPECT_ERROR_CONTAINS(BottleneckBlock(8, 0, 16, 1, gen), "Bottleneck", "mid 0");
}

TEST(BottleneckBlock, MatchesTorchvision) {
  Fixture f("bottleneck.h5");
  for (const std::string& c : f.cases()) {
    SCOPED_TRACE(c);
    const int64_t inplanes = f.ints(c, "inplanes")[0], planes = f.ints(c, "planes")[0];
    Generator gen(0);
    BottleneckBlock block(inplanes, planes, 4 * planes, f.ints(c, "stride")[0], gen);
    block.to(DType::Float64);  // the references were computed in float64 from the same values
    NamedTensors state;
    for (const std::string& key : block.state_dict().keys()) {
      if (!ends_with(key, "num_batches_tracked")) {
        state.insert(key, tensor_of(f.array(c + "/" + key), DType::Float64));
      }
    }
    const LoadResult loaded = block.load_state_dict(state, /*strict=*/false);
    EXPECT_TRUE(loaded.unexpected.empty());
    for (const std::string& key : loaded.missing)
      EXPECT_TRUE(ends_with(key, "num_batches_tracked"));

    const Tensor x = tensor_of(f.array(c + "/x"), DType::Float64);
    block.eval();
    EXPECT_TRUE(camlab::test::all_close(values(block(x)), f.array(c + "/y_eval"), 1e-10, 1e-12));
    block.train();
    Tensor xg = tensor_of(f.array(c + "/x"), DType::Float64).set_requires_grad(true);
    const Tensor y = block(xg);
    EXPECT_TRUE(camlab::test::all_close(values(y), f.array(c + "/y_train"), 1e-10, 1e-12));
    const Tensor grad_y = tensor_of(f.array(c + "/grad_y"), DType::Float64);
    camlab::backward(camlab::sum(camlab::mul(y, grad_y)));
    EXPECT_TRUE(camlab::test::all_close(values(xg.grad()), f.array(c + "/grad_x"), 1e-8, 1e-10));
    for (const auto& [name, p] : block.named_parameters()) {
      SCOPED_TRACE(name);
      EXPECT_TRUE(
          camlab::test::all_close(values(p.grad()), f.array(c + "/grad_" + name), 1e-8, 1e-10));
    }
  }
}

}  // namespace
}  // namespace camlab::nn
