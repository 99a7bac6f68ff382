// Shared by the cam/methods tests: the fixture network of tests/fixtures/cam.h5 (made by
// tools/make_cam_fixtures.py) rebuilt in camlab with the same module names, its inputs, and
// helpers to read tensors back.
//
//   CamFixture fx;                                   // loads cam.h5
//   auto net = fx.net(DType::Float64);               // weights loaded, eval mode
//   Explanation e = make_method("gradcam", *net)->explain(fx.inputs(DType::Float64),
//                                                         Target::labels(fx.labels()));
//   EXPECT_TRUE(all_close(values(e.raw), fx.array("relu2/gradcam/raw")));
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cam/methods/method.h"
#include "nn/nn.h"
#include "tensor/error.h"
#include "tensor/tensor.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"
#include "tests/support/values.h"

namespace camlab::cam::test {

using camlab::test::all_close;
using camlab::test::Array;
using camlab::test::Fixture;

// Every element, row-major, as double.
using camlab::test::values;

inline Tensor to_tensor(const Array& array, DType dtype) {
  Tensor t = Tensor::from_vector(array.values, array.shape);
  return t.to(dtype);
}

// conv1 (1->4, 3x3, pad 1), relu1, pool1 (max 2), conv2 (4->6, 3x3, pad 1), relu2, gap, fc (6->3)
inline std::shared_ptr<nn::Sequential> tiny_gap_net(Generator& gen) {
  using namespace camlab::nn;
  return std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
      {"conv1", std::make_shared<Conv2d>(1, 4, 3, Conv2dOptions{.padding = 1}, gen)},
      {"relu1", std::make_shared<ReLU>()},
      {"pool1", std::make_shared<MaxPool2d>(2)},
      {"conv2", std::make_shared<Conv2d>(4, 6, 3, Conv2dOptions{.padding = 1}, gen)},
      {"relu2", std::make_shared<ReLU>()},
      {"gap", std::make_shared<GlobalAvgPool>()},
      {"fc", std::make_shared<Linear>(6, 3, true, gen)}});
}

// The same features but a flatten + Linear head: no GAP, so CAM cannot run on it.
inline std::shared_ptr<nn::Sequential> tiny_flat_net(Generator& gen) {
  using namespace camlab::nn;
  return std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
      {"conv1", std::make_shared<Conv2d>(1, 4, 3, Conv2dOptions{.padding = 1}, gen)},
      {"relu1", std::make_shared<ReLU>()},
      {"pool1", std::make_shared<MaxPool2d>(2)},
      {"conv2", std::make_shared<Conv2d>(4, 6, 3, Conv2dOptions{.padding = 1}, gen)},
      {"relu2", std::make_shared<ReLU>()},
      {"flatten", std::make_shared<Flatten>()},
      {"fc", std::make_shared<Linear>(6 * 6 * 6, 3, true, gen)}});
}

class CamFixture {
 public:
  CamFixture() : file_("cam.h5") {}

  Array array(const std::string& path) const { return file_.array(path); }
  bool has(const std::string& path) const { return file_.has(path); }
  const Fixture& file() const { return file_; }

  // The fixture's network with its weights (stored float32, converted exactly), in eval mode.
  std::shared_ptr<nn::Sequential> net(DType dtype) const {
    Generator gen(0);
    auto model = tiny_gap_net(gen);
    nn::NamedTensors state;
    for (const auto& [key, tensor] : model->state_dict()) {
      state.insert(key, to_tensor(file_.array("model/" + key), DType::Float32));
    }
    model->load_state_dict(state);
    model->to(dtype);
    model->eval();
    return model;
  }
  Tensor inputs(DType dtype) const {
    return to_tensor(file_.array("inputs"), dtype);
  }  // [3, 1, 12, 12]
  Tensor labels() const { return to_tensor(file_.array("labels"), DType::Int64); }  // [3]

 private:
  Fixture file_;
};

// The message of the camlab::Error thrown by `statement` ("" and a failure when none is thrown).
#define CAM_ERROR_MESSAGE(statement)                              \
  [&]() -> std::string {                                          \
    try {                                                         \
      statement;                                                  \
    } catch (const ::camlab::Error& e) {                          \
      return e.what();                                            \
    }                                                             \
    ADD_FAILURE() << "expected a camlab::Error from " #statement; \
    return "";                                                    \
  }()

inline ::testing::AssertionResult mentions(const std::string& message,
                                           const std::vector<std::string>& parts) {
  if (message.find('\n') != std::string::npos) {
    return ::testing::AssertionFailure() << "not one line: " << message;
  }
  for (const std::string& part : parts) {
    if (message.find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "message '" << message << "' lacks '" << part << "'";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace camlab::cam::test
