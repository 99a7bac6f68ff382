// --set key=value overrides: TOML values, bare strings, arrays, layer entries, errors.
#include "experiments/config/override.h"

#include <gtest/gtest.h>

#include <string>

#include "experiments/config/config.h"

namespace camlab::experiments {
namespace {

const char* kBase = R"([experiment]
name = "base"
[model]
layers = [{type = "conv", out = 8, name = "c1"}, {type = "gap"}, {type = "linear", out = 4}]
[train]
epochs = 5
)";

Config with(const std::vector<std::string>& overrides) {
  return parse_config(kBase, "base.toml", overrides);
}

std::string error_of(const std::vector<std::string>& overrides) {
  try {
    with(overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return "";
}

TEST(Override, ParsesTomlValues) {
  const Config cfg =
      with({"train.epochs=3", "train.optimizer.lr=0.1", "train.optimizer.nesterov=true",
            "train.optimizer.momentum=0.9", "train.schedule.milestones=[2, 4]",
            "data.normalize.mean=[0.5]", "data.normalize.std=[0.2]"});
  EXPECT_EQ(cfg.get_int("train.epochs"), 3);
  EXPECT_DOUBLE_EQ(cfg.get_double("train.optimizer.lr"), 0.1);
  EXPECT_TRUE(cfg.get_bool("train.optimizer.nesterov"));
  EXPECT_EQ(cfg.get_ints("train.schedule.milestones"), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(cfg.normalize().mean, std::vector<double>{0.5});
  EXPECT_EQ(cfg.where("train.epochs"), "--set train.epochs=3");
}

TEST(Override, StringsWithOrWithoutQuotes) {
  EXPECT_EQ(with({"data.dataset=mnist"}).get_string("data.dataset"), "mnist");
  EXPECT_EQ(with({"data.dataset=\"cifar10\"", "data.path=/d/c"}).get_string("data.dataset"),
            "cifar10");
  EXPECT_EQ(with({"experiment.name=2024"}).get_string("experiment.name"), "2024");
  EXPECT_EQ(with({"data.path=/data/a b"}).get_string("data.path"), "/data/a b");
  EXPECT_EQ(with({"data.path="}).get_string("data.path"), "");
}

TEST(Override, ArraysAndSingleValuesForArrays) {
  EXPECT_EQ(with({"data.augment=[\"random_crop:2\", \"hflip\"]"}).get_strings("data.augment"),
            (std::vector<std::string>{"random_crop:2", "hflip"}));
  EXPECT_EQ(with({"data.augment=hflip"}).get_strings("data.augment"),
            std::vector<std::string>{"hflip"});
  // Bare words in brackets (no shell quoting needed) are an array of strings.
  EXPECT_EQ(with({"explain.methods=[cam, gradcam++]"}).get_strings("explain.methods"),
            (std::vector<std::string>{"cam", "gradcam++"}));
}

TEST(Override, NormalizeFlagGivesWayToItsTable) {
  const Config cfg =
      with({"data.normalize=true", "data.normalize.mean=[0.3]", "data.normalize.std=[0.1]"});
  EXPECT_EQ(cfg.normalize().mean, std::vector<double>{0.3});
  EXPECT_TRUE(with({"data.normalize=true"}).normalize().enabled);
  EXPECT_TRUE(with({"data.normalize=true"}).normalize().mean.empty());
}

TEST(Override, LaterOverridesWin) {
  EXPECT_EQ(with({"train.epochs=3", "train.epochs=7"}).get_int("train.epochs"), 7);
}

TEST(Override, LayerEntriesByIndex) {
  const Config cfg = with({"model.layers.0.out=16", "model.layers[0].name=conv_a",
                           "model.layers.3={type=\"softmax\"}"});
  EXPECT_EQ(cfg.layers()[0].out, 16);
  EXPECT_EQ(cfg.layers()[0].name, "conv_a");
  ASSERT_EQ(cfg.layers().size(), 4u);
  EXPECT_EQ(cfg.layers()[3].type, "softmax");
  EXPECT_EQ(cfg.layers()[0].line, 4);  // the layer itself still comes from the file
  EXPECT_EQ(cfg.layers()[3].line, 0);
  EXPECT_EQ(cfg.layers()[3].where, "--set model.layers.3={type=\"softmax\"}");
}

TEST(Override, UnknownKeySaysSet) {
  EXPECT_EQ(error_of({"train.optimiser.lr=0.1"}),
            "--set train.optimiser.lr=0.1: unknown key 'train.optimiser.lr' — did you mean "
            "'train.optimizer.lr'?");
  EXPECT_EQ(error_of({"train.epoch=3"}),
            "--set train.epoch=3: unknown key 'train.epoch' — did you mean 'train.epochs'?");
  EXPECT_EQ(error_of({"model.layers.0.kernal=5"}),
            "--set model.layers.0.kernal=5: unknown key 'kernal' for a conv layer in "
            "'model.layers[0]' — did you mean 'kernel'?");
}

TEST(Override, BadValuesSaySet) {
  EXPECT_EQ(error_of({"data.batch_size=abc"}),
            "--set data.batch_size=abc: 'data.batch_size' must be an integer ≥ 1, got \"abc\"");
  EXPECT_EQ(error_of({"train.optimizer.lr=0"}),
            "--set train.optimizer.lr=0: 'train.optimizer.lr' must be a number > 0, got 0");
  EXPECT_EQ(error_of({"model.layers.7.out=3"}),
            "--set model.layers.7.out=3: 'model.layers' has 3 entries; index 7 is out of range");
  EXPECT_EQ(error_of({"train.epochs"}),
            "--set train.epochs: expected key=value, e.g. --set train.optimizer.lr=0.1");
}

TEST(Override, ParseOverrideCanonicalPath) {
  const Override o = parse_override("model.layers.2.out=64");
  EXPECT_EQ(o.path, "model.layers[2].out");
  EXPECT_EQ(o.value().value<int64_t>(), 64);
  const Override sweep = parse_override("sweep.train.optimizer.lr=[0.1, 0.2]");
  ASSERT_EQ(sweep.parts.size(), 2u);
  EXPECT_EQ(sweep.parts[1].key, "train.optimizer.lr");
}

}  // namespace
}  // namespace camlab::experiments
