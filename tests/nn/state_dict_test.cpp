// state_dict / load_state_dict: PyTorch keys, layouts and dtypes; strictness and shape errors.
#include <gtest/gtest.h>

#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"
#include "tests/nn/tiny_net.h"

namespace camlab::nn {
namespace {

using test::TinyNet;
using test::values;

TEST(StateDict, KeysOrderLayoutsAndDtypesAreTorchs) {
  Generator gen(0);
  TinyNet net(gen);
  const NamedTensors state = net.state_dict();
  EXPECT_EQ(state.keys(),
            (std::vector<std::string>{"features.0.weight", "features.0.bias", "features.1.weight",
                                      "features.1.bias", "features.1.running_mean",
                                      "features.1.running_var", "features.1.num_batches_tracked",
                                      "fc.weight", "fc.bias"}));
  EXPECT_EQ(state.at("features.0.weight").shape(), (Shape{4, 1, 3, 3}));  // OIHW
  EXPECT_EQ(state.at("fc.weight").shape(), (Shape{3, 4}));                // [out, in]
  EXPECT_EQ(state.at("features.1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(state.at("features.1.num_batches_tracked").shape(), Shape{});
  EXPECT_TRUE(state.at("fc.bias").same(net.fc->bias));  // shares storage, not a copy
}

TEST(StateDict, LoadCopiesIntoTheSameTensors) {
  Generator gen(0);
  TinyNet source(gen), target(gen);
  const Tensor handle = target.fc->weight;
  const void* storage = handle.raw_data();
  target.load_state_dict(source.state_dict());
  EXPECT_TRUE(target.fc->weight.same(handle));
  EXPECT_EQ(target.fc->weight.raw_data(), storage);
  EXPECT_TRUE(target.fc->weight.requires_grad());
  for (const auto& [name, tensor] : source.state_dict()) {
    EXPECT_EQ(values(target.state_dict().at(name)), values(tensor)) << name;
  }
  // float64 values (e.g. from a PyTorch fixture) convert into float32 parameters.
  NamedTensors state = source.state_dict();
  state.insert("fc.bias", Tensor::from_vector<double>({0.25, 0.5, 0.75}, {3}));
  target.load_state_dict(state);
  EXPECT_EQ(target.fc->bias.dtype(), DType::Float32);
  EXPECT_EQ(values(target.fc->bias), (std::vector<double>{0.25, 0.5, 0.75}));
}

TEST(StateDict, ShapeMismatchNamesTheKeyAndBothShapes) {
  Generator gen(0);
  TinyNet net(gen);
  NamedTensors state = net.state_dict();
  const std::vector<double> before = values(net.fc->bias);
  state.insert("fc.bias", ops::ones({3}));
  state.insert("fc.weight", ops::zeros({3, 5}));
  EXPECT_ERROR_CONTAINS(net.load_state_dict(state), "'fc.weight'", "[3, 4]", "[3, 5]");
  EXPECT_EQ(values(net.fc->bias), before);  // nothing copied when it throws
  EXPECT_ERROR_CONTAINS(net.load_state_dict(state, false), "'fc.weight'");
}

TEST(StateDict, StrictReportsMissingAndUnexpectedKeys) {
  Generator gen(0);
  TinyNet net(gen);
  NamedTensors state = net.state_dict();
  state.erase("features.1.running_var");
  state.insert("classifier.weight", ops::zeros({3, 4}));
  EXPECT_ERROR_CONTAINS(net.load_state_dict(state), "missing keys: features.1.running_var",
                        "unexpected keys: classifier.weight", "strict = false");
  const LoadResult result = net.load_state_dict(state, false);
  EXPECT_EQ(result.missing, (std::vector<std::string>{"features.1.running_var"}));
  EXPECT_EQ(result.unexpected, (std::vector<std::string>{"classifier.weight"}));
}

}  // namespace
}  // namespace camlab::nn
