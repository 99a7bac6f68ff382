// cam/visualize activations: the hooks capture exactly the layer outputs of a plain forward,
// every channel gets a cell standardised as Chollet does, dead channels stay black and say so,
// the model's modes survive, and unknown or non-spatial layers are one-line errors that list
// what would work.
#include "cam/visualize/activations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "cam/visualize/display.h"
#include "nn/nn.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam::visualize {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a camlab::Error";
  return "";
}

// conv1 (1 -> 4, 3x3, pad 1) whose channel 2 has zero weights and bias −1, so relu1 kills it for
// every input; then pool, conv2 (4 -> 3), relu2, gap, fc (3 -> 5).
std::shared_ptr<nn::Sequential> tiny_net() {
  Generator gen(3);
  auto conv1 = std::make_shared<nn::Conv2d>(1, 4, 3, nn::Conv2dOptions{.padding = 1}, gen);
  {
    autograd::NoGradGuard no_grad;
    conv1->weight.select(0, 2).copy_(ops::zeros({1, 3, 3}));
    conv1->bias.narrow(0, 2, 1).copy_(ops::full({1}, -1.0));
  }
  auto net = std::make_shared<nn::Sequential>();
  net->add("conv1", conv1);
  net->add("relu1", std::make_shared<nn::ReLU>());
  net->add("pool1", std::make_shared<nn::MaxPool2d>(2));
  net->add("conv2", std::make_shared<nn::Conv2d>(4, 3, 3, nn::Conv2dOptions{.padding = 1}, gen));
  net->add("relu2", std::make_shared<nn::ReLU>());
  net->add("gap", std::make_shared<nn::GlobalAvgPool>());
  net->add("fc", std::make_shared<nn::Linear>(3, 5, true, gen));
  return net;
}

Tensor test_image() {
  Generator gen(11);
  return ops::randn({1, 8, 8}, gen);  // [C, H, W]
}

TEST(Activations, CaptureEqualsAPlainForwardOfEachLayer) {
  auto net = tiny_net();
  const Tensor image = test_image();
  const auto acts = capture_activations(*net, image, {"relu1", "conv2"});
  ASSERT_EQ(acts.size(), 2u);
  EXPECT_EQ(acts[0].name, "relu1");
  EXPECT_EQ(acts[0].value.shape(), (Shape{4, 8, 8}));
  EXPECT_EQ(acts[1].value.shape(), (Shape{3, 4, 4}));

  autograd::NoGradGuard no_grad;
  Tensor x = image.unsqueeze(0);
  for (const char* layer : {"conv1", "relu1"}) x = net->find(layer).forward(x);
  const std::vector<double> want = host_values(x.select(0, 0));
  EXPECT_EQ(host_values(acts[0].value), want);
}

TEST(Activations, GridHasOneLabeledCellPerChannelAndDeadChannelsAreBlack) {
  auto net = tiny_net();
  const auto acts = capture_activations(*net, test_image(), {"relu1"});
  const ActivationGrid grid = activation_grid(acts[0], {.columns = 3, .min_cell = 16});
  EXPECT_EQ(grid.title, "relu1 [4, 8, 8]");
  ASSERT_EQ(grid.cells.size(), 4u);
  ASSERT_EQ(grid.labels.size(), 4u);
  EXPECT_EQ(grid.dead_channels, (std::vector<int64_t>{2}));
  EXPECT_EQ(grid.labels[0], "0");
  EXPECT_EQ(grid.labels[2], "2 dead");
  // 8x8 maps upscaled x2 to reach 16 px; 3 columns, so channel 3 starts the second row.
  EXPECT_EQ(grid.cells[0].width, 16);
  EXPECT_EQ(grid.cells[3].x, grid.cells[0].x);
  EXPECT_GT(grid.cells[3].y, grid.cells[0].y + grid.cells[0].height);
  const CellBox& last = grid.cells.back();
  EXPECT_LE(last.x + last.width, grid.image.width);
  EXPECT_LE(last.y + last.height, grid.image.height);

  auto count_black = [&](const CellBox& box) {
    int64_t black = 0;
    for (int64_t y = box.y; y < box.y + box.height; ++y) {
      for (int64_t x = box.x; x < box.x + box.width; ++x) {
        black += grid.image.pixel(x, y) == render::kBlack ? 1 : 0;
      }
    }
    return black;
  };
  EXPECT_EQ(count_black(grid.cells[2]), 16 * 16);  // dead: every pixel black
  for (int64_t c : {0, 1, 3}) EXPECT_LT(count_black(grid.cells[c]), 16 * 16) << "channel " << c;
}

TEST(Activations, ChannelsAreStandardizedTimes64Plus128) {
  // values 0, 1, 2, 3: mean 1.5, std √1.25; bytes round((v − 1.5)/√1.25·64 + 128), clipped.
  const Tensor plane = Tensor::from_vector<float>({0, 1, 2, 3}, {2, 2});
  const render::RgbImage image = standardized_rgb(plane);
  const double std = std::sqrt(1.25);
  const double want[] = {0, 1, 2, 3};
  for (int64_t i = 0; i < 4; ++i) {
    const auto expected = static_cast<uint8_t>(std::lround((want[i] - 1.5) / std * 64 + 128));
    EXPECT_EQ(image.pixel(i % 2, i / 2)[0], expected) << "pixel " << i;
  }
  // A constant non-zero channel is mid grey, an all-zero one black.
  EXPECT_EQ(standardized_rgb(ops::full({2, 2}, 5.0)).pixel(0, 0)[0], 128);
  EXPECT_EQ(standardized_rgb(ops::zeros({2, 2})).pixel(1, 1), render::kBlack);
}

TEST(Activations, RunInEvalModeAndRestoreEveryModulesMode) {
  auto net = tiny_net();
  net->train();
  net->find("conv2").eval();
  capture_activations(*net, test_image(), {"conv1"});
  EXPECT_TRUE(net->is_training());
  EXPECT_TRUE(net->find("conv1").is_training());
  EXPECT_FALSE(net->find("conv2").is_training());
}

TEST(Activations, UnknownLayerListsTheValidNames) {
  auto net = tiny_net();
  const std::string message = error_of([&] { capture_activations(*net, test_image(), {"conv9"}); });
  EXPECT_NE(message.find("activations: no layer 'conv9'"), std::string::npos) << message;
  EXPECT_NE(message.find("conv1, relu1, pool1, conv2, relu2, gap, fc"), std::string::npos)
      << message;
}

TEST(Activations, NonSpatialLayerListsTheSpatialOnes) {
  auto net = tiny_net();
  const std::string message = error_of([&] { capture_activations(*net, test_image(), {"fc"}); });
  EXPECT_NE(message.find("layer 'fc' gives [1, 5]"), std::string::npos) << message;
  EXPECT_NE(message.find("spatial layers: conv1, relu1, pool1, conv2, relu2"), std::string::npos)
      << message;
}

TEST(Activations, FileNamesReplaceDots) {
  EXPECT_EQ(activation_file_name("conv1"), "activations_conv1.png");
  EXPECT_EQ(activation_file_name("features.3"), "activations_features_3.png");
}

}  // namespace
}  // namespace camlab::cam::visualize
