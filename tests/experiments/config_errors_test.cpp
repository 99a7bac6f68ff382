// Config errors: one line, file:line:column, the dotted key, what was expected, a suggestion.
#include <gtest/gtest.h>

#include <string>

#include "experiments/config/config.h"

namespace camlab::experiments {
namespace {

const char* kLayers = R"([model]
layers = [
  {type = "conv", out = 8, pad = 1, name = "conv1"},
  {type = "relu"},
  {type = "gap"},
  {type = "linear", out = 10, name = "fc"},
]
)";

// The message of the ConfigError that parsing `text` (as fmnist.toml) throws.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_config(text, "fmnist.toml", overrides);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    return message;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return "";
}

TEST(ConfigErrors, UnknownKeySuggestsTheNearest) {
  const std::string text = std::string(kLayers) + "\n[train]\nepochs = 3\n\noptimiser = {}\n";
  EXPECT_EQ(error_of(text),
            "fmnist.toml:12:1: unknown key 'train.optimiser' — did you mean 'train.optimizer'?");
}

TEST(ConfigErrors, KeyInTheWrongSectionPointsToTheRightOne) {
  EXPECT_EQ(error_of("[train]\nbatch_size = 8\n"),
            "fmnist.toml:2:1: unknown key 'train.batch_size' — did you mean 'data.batch_size'?");
}

TEST(ConfigErrors, UnknownKeyFarFromAnyListsTheSection) {
  const std::string message = error_of("[experiment]\nzzzzzzzz = 1\n");
  EXPECT_TRUE(
      message.starts_with("fmnist.toml:2:1: unknown key 'experiment.zzzzzzzz' — valid "
                          "keys in [experiment]: name, seed, device, threads"))
      << message;
}

TEST(ConfigErrors, IndexTooLargeForInt64IsAMalformedKey) {
  // 40 digits reached std::stoll once, and its out_of_range ended the process (a fuzz finding).
  const std::string message =
      error_of(kLayers, {"model.layers.9999999999999999999999999999999999999999.out=3"});
  EXPECT_NE(
      message.find("malformed key 'model.layers.9999999999999999999999999999999999999999.out'"),
      std::string::npos)
      << message;
}

TEST(ConfigErrors, UnknownSection) {
  EXPECT_EQ(error_of("[trian]\nepochs = 1\n"),
            "fmnist.toml:1:2: unknown key 'trian' — did you mean 'train'?");
}

TEST(ConfigErrors, WrongTypeQuotesTheValue) {
  EXPECT_EQ(error_of("[experiment]\nseed = 1\n\n\n\n\n[data]\nbatch_size = \"64\"\n"),
            "fmnist.toml:8:14: 'data.batch_size' must be an integer ≥ 1, got \"64\"");
  EXPECT_EQ(error_of("[train]\noptimizer = {nesterov = 1}\n"),
            "fmnist.toml:2:25: 'train.optimizer.nesterov' must be true or false, got 1");
  EXPECT_EQ(error_of("[train]\nepochs = 2.5\n"),
            "fmnist.toml:2:10: 'train.epochs' must be an integer ≥ 1, got 2.5");
}

TEST(ConfigErrors, OutOfRange) {
  EXPECT_EQ(error_of("[data]\nbatch_size = 0\n"),
            "fmnist.toml:2:14: 'data.batch_size' must be an integer ≥ 1, got 0");
  EXPECT_EQ(error_of("[train]\noptimizer = {momentum = 1.5}\n"),
            "fmnist.toml:2:25: 'train.optimizer.momentum' must be a number in [0, 1), got 1.5");
  EXPECT_EQ(error_of("[train]\noptimizer = {lr = -0.1}\n"),
            "fmnist.toml:2:19: 'train.optimizer.lr' must be a number > 0, got -0.1");
}

TEST(ConfigErrors, EnumValueSuggestsTheNearest) {
  EXPECT_EQ(error_of("[experiment]\ndevice = \"gpu\"\n"),
            "fmnist.toml:2:10: 'experiment.device' must be one of \"cpu\", \"cuda\", \"auto\", "
            "got \"gpu\" — did you mean \"cuda\"?");
  EXPECT_EQ(error_of("[data]\naugment = [\"random_crop:2\", \"hfilp\"]\n"),
            "fmnist.toml:2:29: 'data.augment[1]' must be one of \"random_crop\", \"hflip\", "
            "\"random_affine\" (with optional :arguments), got \"hfilp\" — did you mean "
            "\"hflip\"?");
}

TEST(ConfigErrors, UnknownLayerTypeListsTheValidOnes) {
  const std::string message =
      error_of("[model]\nlayers = [\n  {type = \"conv\", out = 8},\n  {type = \"convv\"},\n]\n");
  EXPECT_TRUE(
      message.starts_with("fmnist.toml:4:11: unknown layer type 'convv' in "
                          "'model.layers[1]' — did you mean 'conv'? Valid types: conv, "
                          "linear, relu, leaky_relu, elu, gelu, sigmoid, tanh, maxpool, "
                          "avgpool, gap, flatten, dropout, batchnorm, residual, bottleneck, "
                          "add, concat, mul, upsample, softmax, block"))
      << message;
}

TEST(ConfigErrors, LayerKeysAreChecked) {
  EXPECT_EQ(error_of("[model]\nlayers = [{type = \"conv\", out = 8, kernal = 3}]\n"),
            "fmnist.toml:2:36: unknown key 'kernal' for a conv layer in 'model.layers[0]' — did "
            "you mean 'kernel'?");
  EXPECT_EQ(error_of("[model]\nlayers = [{type = \"conv\", kernel = 3}]\n"),
            "fmnist.toml:2:11: 'model.layers[0]' (conv layer) needs 'out', an integer ≥ 1");
  EXPECT_EQ(error_of("[model]\nlayers = [{type = \"dropout\", p = 1.0}]\n"),
            "fmnist.toml:2:34: 'model.layers[0].p' must be a number in [0, 1), got 1.0");
  EXPECT_TRUE(error_of("[model]\nlayers = [{out = 3}]\n")
                  .starts_with("fmnist.toml:2:11: 'model.layers[0]' has no 'type' — one of conv, "
                               "linear, relu"));
}

TEST(ConfigErrors, CrossKeyChecks) {
  EXPECT_EQ(error_of(std::string(kLayers) + "cam_layer = \"conv5\"\n"),
            "fmnist.toml:8:13: 'model.cam_layer' = \"conv5\" names no layer of [model] layers — "
            "did you mean 'conv1'? Layers: 'conv1', 'relu1', 'gap1', 'fc'");
  EXPECT_EQ(error_of(std::string(kLayers) + "[train]\noptimizer = {nesterov = true}\n"),
            "fmnist.toml:9:25: 'train.optimizer.nesterov' needs 'train.optimizer.momentum' > 0 — "
            "set momentum (e.g. 0.9) or nesterov = false");
  EXPECT_EQ(error_of("[model]\nlayers = [{type = \"block\", block = \"stag1\"}]\n"
                     "[model.blocks]\nstage1 = [{type = \"relu\"}]\n"),
            "fmnist.toml:2:11: 'model.layers[0]' refers to block 'stag1', which [model.blocks] "
            "does not define — did you mean 'stage1'?");
  EXPECT_EQ(error_of("[model]\nlayers = [{type = \"block\", block = \"a\"}]\n"
                     "[model.blocks]\na = [{type = \"block\", block = \"a\"}]\n"),
            "fmnist.toml:4:6: block 'a' contains itself (via 'a')");
  EXPECT_EQ(error_of("[model]\nlayers = []\n").substr(0, 47),
            "fmnist.toml:2:10: [model] needs 'layers', e.g. ");
}

TEST(ConfigErrors, SyntaxErrorHasAPosition) {
  const std::string message = error_of("[train]\nepochs = = 3\n");
  EXPECT_TRUE(message.starts_with("fmnist.toml:2:")) << message;
  EXPECT_NE(message.find("TOML syntax error"), std::string::npos) << message;
}

TEST(ConfigErrors, SweepKeysMustBeConfigKeys) {
  EXPECT_EQ(error_of(std::string(kLayers) + "[sweep]\n\"train.optimizer.lrr\" = [0.1]\n"),
            "fmnist.toml:9:1: unknown key 'train.optimizer.lrr' in [sweep] — did you mean "
            "'train.optimizer.lr'?");
  EXPECT_EQ(error_of(std::string(kLayers) + "[sweep]\n\"train.optimizer.lr\" = [0.1, -1]\n"),
            "fmnist.toml:9:30: 'sweep.train.optimizer.lr[1]' must be a number > 0, got -1");
  EXPECT_EQ(error_of(std::string(kLayers) +
                     "[sweep]\nmode = \"zip\"\n\"train.epochs\" = [1, 2]\n\"data.batch_size\" = "
                     "[8]\n"),
            "fmnist.toml:8:1: [sweep] mode = \"zip\" needs arrays of one length, but "
            "'data.batch_size' has 1 values and 'train.epochs' has 2");
}

// The method options camlab explain's flags set (--smooth-samples is the override
// explain.smoothgrad.samples=N): a value out of range is one line naming the key and the range,
// and valid values reach the config.
TEST(ConfigErrors, MethodOptionKeysAreCheckedAndRead) {
  const std::string message = error_of(kLayers, {"explain.smoothgrad.samples=0"});
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find("explain.smoothgrad.samples"), std::string::npos) << message;
  EXPECT_NE(error_of(kLayers, {"explain.occlusion.patch=-3"}).find("explain.occlusion.patch"),
            std::string::npos);
  const Config cfg = parse_config(kLayers, "fmnist.toml",
                                  {"explain.integrated_gradients.baseline=0.5",
                                   "explain.aug_smooth=true", "explain.batch_size=7"});
  EXPECT_EQ(cfg.get_double("explain.integrated_gradients.baseline"), 0.5);
  EXPECT_TRUE(cfg.get_bool("explain.aug_smooth"));
  EXPECT_EQ(cfg.get_int("explain.batch_size"), 7);
  EXPECT_EQ(cfg.get_int("explain.smoothgrad.samples"), 16);  // the default
}

// The options of Faster Score-CAM, SS-CAM, FEM, Finer-CAM, KPCA-CAM and DFF: a bad value is one
// line naming the key and what would be valid (tests/experiments/method_options_test.cpp shows
// good values reaching the methods).
TEST(ConfigErrors, NewerMethodOptionKeysAreChecked) {
  const std::string kernel = error_of(kLayers, {"explain.kpcacam.kernel=rbff"});
  EXPECT_NE(kernel.find("'explain.kpcacam.kernel' must be one of \"sigmoid\", \"rbf\", \"poly\", "
                        "\"linear\", got \"rbff\" — did you mean \"rbf\"?"),
            std::string::npos)
      << kernel;
  for (const char* bad :
       {"explain.fasterscorecam.top_k=0", "explain.finercam.comparisons=0",
        "explain.finercam.alpha=-1", "explain.kpcacam.gamma=-0.1", "explain.kpcacam.degree=0",
        "explain.dff.concepts=0", "explain.dff.iterations=0", "explain.sscam.samples=0",
        "explain.sscam.sigma=-1", "explain.fem.k=-2"}) {
    const std::string key = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_NE(error_of(kLayers, {bad}).find("'" + key + "' must be"), std::string::npos) << bad;
  }
  EXPECT_NE(error_of(kLayers, {"explain.dff.classifier=fcc"})
                .find("'explain.dff.classifier' = \"fcc\" names no layer of [model] layers — did "
                      "you mean 'fc'?"),
            std::string::npos);
}

}  // namespace
}  // namespace camlab::experiments
