// Feature visualization on the trained reference net (fmnist-gapnet, 10 epochs on Fashion-MNIST,
// its best.h5 committed as tests/fixtures/fmnist_gapnet_trained.h5): gradient ascent lifts every
// visualised channel of every ReLU far above what random inputs give, as issue 5 asks, and each
// class model is the image that scores highest on its own class.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "cam/visualize/feature_vis.h"
#include "nn/checkpoint.h"
#include "nn/nn.h"
#include "tensor/generator.h"
#include "tensor/ops.h"
#include "tests/cam/random_input_objective.h"

namespace camlab::cam::visualize {
namespace {

// The layers of experiments/configs/fmnist-gapnet.toml, named as its model builder names them.
std::shared_ptr<nn::Sequential> trained_reference_net() {
  auto net = std::make_shared<nn::Sequential>();
  auto conv = [](int64_t in, int64_t out) {
    return std::make_shared<nn::Conv2d>(in, out, 3, nn::Conv2dOptions{.padding = 1});
  };
  net->add("conv1", conv(1, 32));
  net->add("relu1", std::make_shared<nn::ReLU>());
  net->add("conv2", conv(32, 32));
  net->add("relu2", std::make_shared<nn::ReLU>());
  net->add("maxpool1", std::make_shared<nn::MaxPool2d>(2));
  net->add("conv3", conv(32, 64));
  net->add("relu3", std::make_shared<nn::ReLU>());
  net->add("conv4", conv(64, 64));
  net->add("relu4", std::make_shared<nn::ReLU>());
  net->add("gap1", std::make_shared<nn::GlobalAvgPool>());
  net->add("fc", std::make_shared<nn::Linear>(64, 10));
  nn::load_checkpoint(std::string(CAMLAB_FIXTURE_DIR) + "/fmnist_gapnet_trained.h5", *net);
  net->eval();
  return net;
}

struct LayerCase {
  std::string layer;
  int64_t steps;
};

class TrainedNetVis : public ::testing::TestWithParam<LayerCase> {};

// A channel whose mean activation on random inputs is below this is silent: it almost never fires
// (a ReLU that training killed), and a ratio against its near-zero baseline means nothing.
constexpr double kSilent = 1e-3;

TEST_P(TrainedNetVis, EveryChannelEndsFiveTimesAboveRandomInputs) {
  auto net = trained_reference_net();
  FeatureVisOptions o = recipe("chollet");
  o.layer = GetParam().layer;
  o.units = parse_units("0:8");
  o.image_shape = {1, 28, 28};
  o.steps = GetParam().steps;
  const std::vector<double> baseline = random_input_objective(*net, o, 4, /*first_seed=*/2000);
  const FeatureVisRecord r = visualize_features(*net, o).record;
  ASSERT_EQ(r.units.size(), 8u);
  int silent = 0;
  for (const UnitRecord& u : r.units) {
    std::printf("[ trained ] %s:%lld random %.4f final %.4f (%.1fx)\n", o.layer.c_str(),
                static_cast<long long>(u.unit), baseline[u.image], u.final_objective,
                u.final_objective / baseline[u.image]);
    if (baseline[u.image] < kSilent) {
      ++silent;
      continue;
    }
    EXPECT_GE(u.final_objective, 5 * baseline[u.image]) << o.layer << " channel " << u.unit;
  }
  EXPECT_LE(silent, 4) << "fewer than half of " << o.layer << "'s channels are alive";
}

// relu1's units are single 3x3 filters: their map mean grows only with the image's contrast,
// which normalised steps of lr 0.05 raise slowly, so they get more (cheap: the forward stops
// at relu1) steps than Chollet's 40.
INSTANTIATE_TEST_SUITE_P(ReluLayers, TrainedNetVis,
                         ::testing::Values(LayerCase{"relu1", 200}, LayerCase{"relu2", 80},
                                           LayerCase{"relu3", 80}, LayerCase{"relu4", 80}),
                         [](const auto& info) { return info.param.layer; });

// Simonyan et al. maximise the unnormalised score S_k, which other classes' scores may share, so
// a class model need not be classified as k; but among the ten class models, model k should be
// the one that scores highest on class k. Sandal and Sneaker models share a sole-like lattice, so
// one class may go to its neighbour.
TEST(TrainedNetVis, ClassModelsScoreHighestOnTheirOwnClass) {
  auto net = trained_reference_net();
  FeatureVisOptions o = recipe("chollet");
  o.objective = Objective::Class;
  o.units = parse_units("0:10");
  o.image_shape = {1, 28, 28};
  o.steps = 60;
  const FeatureVisResult result = visualize_features(*net, o);
  Tensor logits;
  {
    autograd::NoGradGuard no_grad;
    logits = (*net)(result.images);  // [10 images, 10 classes]
  }
  Tensor best_image_per_class = ops::argmax(logits, 0);  // [10]
  int own = 0;
  for (int64_t k = 0; k < 10; ++k) {
    const int64_t best = best_image_per_class.at<int64_t>({k});
    std::printf("[ trained ] class %lld: highest from class model %lld\n",
                static_cast<long long>(k), static_cast<long long>(best));
    own += best == k ? 1 : 0;
  }
  EXPECT_GE(own, 9);
  for (const UnitRecord& u : result.record.units) {
    EXPECT_GT(u.final_objective, u.start_objective) << "class " << u.unit;
  }
}

}  // namespace
}  // namespace camlab::cam::visualize
