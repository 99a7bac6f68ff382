// [sweep]: grid and zip expansions into --set overrides.
#include "experiments/config/sweep.h"

#include <gtest/gtest.h>

namespace camlab::experiments {
namespace {

const std::string kLayers =
    "[model]\nlayers = [{type = \"conv\", out = 4}, {type = \"gap\"}, {type = \"linear\", out = "
    "2}]\n";

TEST(Sweep, GridIsEveryCombinationLastKeyFastest) {
  const Config cfg = parse_config(kLayers + R"([sweep]
"train.optimizer.lr" = [0.01, 0.1]
"data.batch_size" = [32, 64, 128]
)",
                                  "s.toml");
  const std::vector<SweepPoint> points = sweep_points(cfg);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].overrides,
            (std::vector<std::string>{"data.batch_size=32", "train.optimizer.lr=0.01"}));
  EXPECT_EQ(points[1].overrides,
            (std::vector<std::string>{"data.batch_size=32", "train.optimizer.lr=0.1"}));
  EXPECT_EQ(points[5].label, "batch_size=128,lr=0.1");
  // Each point is a valid config.
  const Config last = parse_config(kLayers, "s.toml", points[5].overrides);
  EXPECT_EQ(last.get_int("data.batch_size"), 128);
  EXPECT_DOUBLE_EQ(last.get_double("train.optimizer.lr"), 0.1);
}

TEST(Sweep, ZipPairsTheIthValues) {
  const Config cfg = parse_config(kLayers + R"([sweep]
mode = "zip"
"data.augment" = [[], ["hflip", "random_crop:2"]]
"model.layers.0.out" = [4, 8]
)",
                                  "s.toml");
  const std::vector<SweepPoint> points = sweep_points(cfg);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].overrides,
            (std::vector<std::string>{"data.augment=[\"hflip\", \"random_crop:2\"]",
                                      "model.layers.0.out=8"}));
  EXPECT_EQ(points[1].label, "augment=hflip+random_crop:2,out=8");
  const Config second = parse_config(kLayers, "s.toml", points[1].overrides);
  EXPECT_EQ(second.layers()[0].out, 8);
  EXPECT_EQ(second.get_strings("data.augment").size(), 2u);
}

TEST(Sweep, NoKeysNoPoints) { EXPECT_TRUE(sweep_points(parse_config(kLayers, "s.toml")).empty()); }

}  // namespace
}  // namespace camlab::experiments
