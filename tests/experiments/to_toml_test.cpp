// to_toml(): the resolved config, every key written, loads back identically.
#include <gtest/gtest.h>

#include <string>

#include "experiments/config/config.h"

namespace camlab::experiments {
namespace {

void expect_round_trip(const Config& cfg) {
  const std::string text = cfg.to_toml();
  const Config again = parse_config(text, cfg.source());
  EXPECT_TRUE(again == cfg) << text;
  EXPECT_EQ(again.to_toml(), text);
  ASSERT_EQ(again.layers().size(), cfg.layers().size());
  for (size_t i = 0; i < cfg.layers().size(); ++i) {
    EXPECT_EQ(again.layers()[i].type, cfg.layers()[i].type);
    EXPECT_EQ(again.layers()[i].out, cfg.layers()[i].out);
    EXPECT_EQ(again.layers()[i].stride, cfg.layers()[i].stride);
  }
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, ShippedConfig) {
  expect_round_trip(
      load_config(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/" + GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Configs, RoundTrip,
                         ::testing::Values("fmnist-gapnet.toml", "fmnist-resnet.toml",
                                           "fmnist-inception.toml", "cifar10-gapnet.toml",
                                           "tiny-synthetic.toml"),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           for (char& c : name) c = std::isalnum(c) ? c : '_';
                           return name;
                         });

TEST(ToToml, EveryFeatureRoundTrips) {
  const Config cfg = parse_config(R"(
[experiment]
name = "all \"quoted\" \\ things"
[data]
normalize = {mean = [0.5, 0.4, 0.3], std = [0.2, 0.2, 0.2]}
augment = ["random_affine:15,0.1,0.2"]
[model]
layers = [
  {type = "conv", out = 8, bias = false}, {type = "leaky_relu", slope = 0.2},
  {type = "block", block = "b", repeat = 2, name = "stage"},
  {type = "upsample", scale = 2, mode = "bilinear"}, {type = "dropout", p = 0.25},
  {type = "gap"}, {type = "linear", out = 3},
]
[model.blocks]
b = [{type = "residual", out = 8}, {type = "elu"}]
[train]
optimizer = {type = "adamw", lr = 1, betas = [0.8, 0.99], eps = 1e-7}
schedule = {type = "multistep", milestones = [3, 6]}
[explain]
target = 3
[sweep]
mode = "zip"
train.optimizer.lr = [0.1, 1e-3]
"data.batch_size" = [16, 32]
)",
                                  "all.toml");
  expect_round_trip(cfg);
  const std::string text = cfg.to_toml();
  EXPECT_NE(text.find("lr = 1.0"), std::string::npos) << text;
  EXPECT_NE(text.find("eps = 1e-07"), std::string::npos) << text;
  EXPECT_NE(text.find("\"train.optimizer.lr\" = [0.1, 0.001]"), std::string::npos) << text;
  EXPECT_NE(text.find("[model.blocks]\nb = [\n"), std::string::npos) << text;
  EXPECT_EQ(cfg.get_int("explain.target"), 3);
  EXPECT_TRUE(cfg.holds_int("explain.target"));
}

TEST(ToToml, WritesEveryKeyInSchemaOrder) {
  const Config cfg =
      load_config(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/fmnist-gapnet.toml");
  const std::string text = cfg.to_toml();
  EXPECT_NE(text.find("[experiment]\nname = \"fmnist-gapnet\"\nseed = 0\ndevice = \"auto\"\n"
                      "threads = 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("optimizer = { type = \"sgd\", lr = 0.05, momentum = 0.9, nesterov = "
                      "true, weight_decay = 0.0005, betas = [0.9, 0.999], eps = 1e-08 }"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  { type = \"maxpool\", name = \"\", repeat = 1, kernel = 2, stride = 2, "
                      "pad = 0 },\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace camlab::experiments
