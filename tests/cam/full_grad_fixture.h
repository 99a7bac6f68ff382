// Shared by the FullGrad and Seg-Eigen-CAM tests: the batch-norm network of
// tests/fixtures/cam_fullgrad.h5 (made by tools/make_fullgrad_fixtures.py) rebuilt in camlab with
// the same module names, its inputs and labels.
//
//   FullGradFixture fx;
//   auto net = fx.net(DType::Float64);    // weights and running statistics loaded, eval mode
//   Explanation e = make_method("fullgrad", *net)->explain(fx.inputs(DType::Float64),
//                                                          Target::labels(fx.labels()));
//   EXPECT_TRUE(all_close(values(e.raw), fx.refs().array("fullgrad/raw")));
#pragma once

#include <memory>
#include <string>

#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {

// conv1 (2->4, bias), bn1, relu1, pool1 (max 2), conv2 (4->6, no bias), bn2, relu2, gap, fc (6->3)
inline std::shared_ptr<nn::Sequential> tiny_bn_net() {
  using namespace camlab::nn;
  Generator gen(0);
  return std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
      {"conv1", std::make_shared<Conv2d>(2, 4, 3, Conv2dOptions{.padding = 1}, gen)},
      {"bn1", std::make_shared<BatchNorm2d>(4)},
      {"relu1", std::make_shared<ReLU>()},
      {"pool1", std::make_shared<MaxPool2d>(2)},
      {"conv2", std::make_shared<Conv2d>(4, 6, 3, Conv2dOptions{.padding = 1, .bias = false}, gen)},
      {"bn2", std::make_shared<BatchNorm2d>(6)},
      {"relu2", std::make_shared<ReLU>()},
      {"gap", std::make_shared<GlobalAvgPool>()},
      {"fc", std::make_shared<Linear>(6, 3, true, gen)}});
}

class FullGradFixture {
 public:
  FullGradFixture() : refs_("cam_fullgrad.h5") {}

  const Fixture& refs() const { return refs_; }

  std::shared_ptr<nn::Sequential> net(DType dtype) const {
    auto model = tiny_bn_net();
    nn::NamedTensors state;
    for (const auto& [key, tensor] : model->state_dict()) {
      const DType stored = tensor.dtype() == DType::Int64 ? DType::Int64 : DType::Float32;
      state.insert(key, to_tensor(refs_.array("model/" + key), stored));
    }
    model->load_state_dict(state);
    model->to(dtype);
    model->eval();
    return model;
  }
  Tensor inputs(DType dtype) const {
    return to_tensor(refs_.array("inputs"), dtype);
  }                                                                                 // [3,2,12,12]
  Tensor labels() const { return to_tensor(refs_.array("labels"), DType::Int64); }  // [3]

 private:
  Fixture refs_;
};

}  // namespace camlab::cam::test
