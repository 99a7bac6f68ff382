// Loading configs: the shipped ones, typed accessors, defaults, layers and blocks.
#include <gtest/gtest.h>

#include <string>

#include "cam/methods/method.h"
#include "cam/render/colormap.h"
#include "experiments/config/config.h"
#include "experiments/config/schema_help.h"

namespace camlab::experiments {
namespace {

std::string shipped(const std::string& name) {
  return std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/" + name;
}

const char* kMinimal = R"(
[model]
layers = [{type = "conv", out = 4, name = "c"}, {type = "gap"}, {type = "linear", out = 2}]
)";

class ShippedConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedConfig, LoadsAndValidates) {
  const Config cfg = load_config(shipped(GetParam()));
  EXPECT_EQ(cfg.name(), GetParam().substr(0, GetParam().size() - 5));
  EXPECT_FALSE(cfg.layers().empty());
  EXPECT_EQ(cfg.layers().back().type, "linear");
  EXPECT_FALSE(cfg.get_string("model.cam_layer").empty());
  EXPECT_GE(cfg.get_int("train.epochs"), 1);
}

INSTANTIATE_TEST_SUITE_P(Configs, ShippedConfig,
                         ::testing::Values("fmnist-gapnet.toml", "fmnist-gapnet-bn.toml",
                                           "fmnist-resnet.toml", "fmnist-inception.toml",
                                           "cifar10-gapnet.toml", "tiny-synthetic.toml"),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           for (char& c : name) c = std::isalnum(c) ? c : '_';
                           return name;
                         });

TEST(ConfigLoad, ReferenceNetMatchesTheIssue) {
  const Config cfg = load_config(shipped("fmnist-gapnet.toml"));
  ASSERT_EQ(cfg.layers().size(), 11u);
  const LayerSpec& conv1 = cfg.layers()[0];
  EXPECT_EQ(conv1.type, "conv");
  EXPECT_EQ(conv1.name, "conv1");
  EXPECT_EQ(conv1.out, 32);
  EXPECT_EQ(conv1.kernel, 3);
  EXPECT_EQ(conv1.pad, 1);
  EXPECT_EQ(conv1.stride, 1);
  EXPECT_TRUE(conv1.bias);
  EXPECT_EQ(conv1.line, 18);
  EXPECT_NE(conv1.where.find("fmnist-gapnet.toml:18:3"), std::string::npos) << conv1.where;
  const LayerSpec& pool = cfg.layers()[4];
  EXPECT_EQ(pool.type, "maxpool");
  EXPECT_EQ(pool.kernel, 2);
  EXPECT_EQ(pool.stride, 2);  // 0 (the default) resolves to the kernel
  EXPECT_EQ(cfg.layers()[10].name, "fc");
  EXPECT_EQ(cfg.layers()[10].out, 10);
  EXPECT_EQ(cfg.get_string("model.cam_layer"), "relu4");
  EXPECT_EQ(cfg.get_string("train.optimizer.type"), "sgd");
  EXPECT_DOUBLE_EQ(cfg.get_double("train.optimizer.lr"), 0.05);
  EXPECT_DOUBLE_EQ(cfg.get_double("train.optimizer.momentum"), 0.9);
  EXPECT_TRUE(cfg.get_bool("train.optimizer.nesterov"));
  EXPECT_DOUBLE_EQ(cfg.get_double("train.optimizer.weight_decay"), 5e-4);
  EXPECT_EQ(cfg.get_string("train.schedule.type"), "cosine");
  EXPECT_EQ(cfg.get_int("data.batch_size"), 64);
  EXPECT_EQ(cfg.get_int("train.epochs"), 10);
  EXPECT_EQ(cfg.get_string("data.dataset"), "fashion-mnist");
  EXPECT_EQ(cfg.get_strings("explain.methods"),
            (std::vector<std::string>{"cam", "gradcam", "gradcam++", "scorecam"}));
}

TEST(ConfigLoad, BnVariantAddsBatchnormAndAugmentation) {
  const Config cfg = load_config(shipped("fmnist-gapnet-bn.toml"));
  int batchnorms = 0;
  for (size_t i = 0; i < cfg.layers().size(); ++i) {
    if (cfg.layers()[i].type != "batchnorm") continue;
    ++batchnorms;
    EXPECT_EQ(cfg.layers()[i - 1].type, "conv");  // after each conv, before its relu
    EXPECT_EQ(cfg.layers()[i + 1].type, "relu");
  }
  EXPECT_EQ(batchnorms, 4);
  EXPECT_EQ(cfg.get_strings("data.augment"), (std::vector<std::string>{"random_crop:2", "hflip"}));
  EXPECT_EQ(cfg.get_int("train.epochs"), 15);
}

TEST(ConfigLoad, ResnetBlocksAreTyped) {
  const Config cfg = load_config(shipped("fmnist-resnet.toml"));
  ASSERT_EQ(cfg.blocks().size(), 3u);
  const std::vector<LayerSpec>& stage2 = cfg.blocks().at("stage2");
  ASSERT_EQ(stage2.size(), 2u);
  EXPECT_EQ(stage2[0].type, "residual");
  EXPECT_EQ(stage2[0].out, 32);
  EXPECT_EQ(stage2[0].stride, 2);
  EXPECT_EQ(stage2[1].stride, 1);
  EXPECT_TRUE(stage2[1].batchnorm);
  EXPECT_EQ(cfg.layers()[5].block, "stage3");
  EXPECT_EQ(cfg.get_string("model.cam_layer"), "layer3");
}

TEST(ConfigLoad, DefaultsAreFilledIn) {
  const Config cfg = parse_config(kMinimal, "minimal.toml");
  EXPECT_EQ(cfg.name(), "minimal");  // the file's stem
  EXPECT_EQ(cfg.get_string("experiment.device"), "auto");
  EXPECT_EQ(cfg.get_int("experiment.seed"), 0);
  EXPECT_EQ(cfg.get_int("data.batch_size"), 64);
  EXPECT_DOUBLE_EQ(cfg.get_double("train.optimizer.lr"), 0.01);
  EXPECT_EQ(cfg.get_doubles("train.optimizer.betas"), (std::vector<double>{0.9, 0.999}));
  EXPECT_EQ(cfg.get_ints("train.schedule.milestones"), std::vector<int64_t>{});
  EXPECT_EQ(cfg.get_string("sweep.mode"), "grid");
  EXPECT_FALSE(cfg.normalize().enabled);
  EXPECT_EQ(cfg.layers()[0].kernel, 3);
  EXPECT_EQ(cfg.layers()[0].groups, 1);
  EXPECT_EQ(cfg.where("train.epochs"), "minimal.toml");  // a default: no line of its own
  EXPECT_EQ(cfg.where("model.layers"), "minimal.toml:3:10");
}

TEST(ConfigLoad, IntegersInFloatKeysBecomeFloats) {
  const Config cfg =
      parse_config(std::string(kMinimal) + "[train]\noptimizer = {lr = 1}\n", "x.toml");
  EXPECT_TRUE(cfg.table()["train"]["optimizer"]["lr"].is_floating_point());
  EXPECT_DOUBLE_EQ(cfg.get_double("train.optimizer.lr"), 1.0);
}

TEST(ConfigLoad, NormalizeTable) {
  const Config cfg = parse_config(
      std::string(kMinimal) + "[data]\nnormalize = {mean = [0.5], std = [0.25]}\n", "x.toml");
  const NormalizeSpec normalize = cfg.normalize();
  EXPECT_TRUE(normalize.enabled);
  EXPECT_EQ(normalize.mean, std::vector<double>{0.5});
  EXPECT_EQ(normalize.std, std::vector<double>{0.25});
}

TEST(ConfigLoad, AccessorMisuseNamesTheKey) {
  const Config cfg = parse_config(kMinimal, "x.toml");
  try {
    cfg.get_int("train.epoch");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Config::get_int: 'train.epoch' is not a config key — did you mean "
                 "'train.epochs'?");
  }
  EXPECT_THROW(cfg.get_string("train.epochs"), Error);
  EXPECT_THROW(cfg.get_bool("data.augment"), Error);
}

TEST(ConfigLoad, MissingFileIsOneLine) {
  try {
    load_config("/nonexistent/x.toml");
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with("/nonexistent/x.toml: cannot read the config")) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

// The schema owns no list of its own: method names are the CAM registry's, colormaps render's.
TEST(Schema, MethodAndColormapNamesComeFromTheirOwners) {
  for (const char* key : {"explain.methods", "localize.methods", "segment.methods"}) {
    ASSERT_NE(find_key(key), nullptr) << key;
    EXPECT_EQ(find_key(key)->allowed, cam::method_names()) << key;
  }
  std::vector<std::string> colormaps;
  for (const render::Colormap c : render::kColormaps) {
    colormaps.emplace_back(render::colormap_name(c));
  }
  ASSERT_NE(find_key("explain.colormap"), nullptr);
  EXPECT_EQ(find_key("explain.colormap")->allowed, colormaps);
}

TEST(SchemaHelp, ListsEveryKeyAndLayerType) {
  const std::string help = schema_help();
  for (const KeySpec& spec : schema()) EXPECT_NE(help.find(spec.path), std::string::npos);
  EXPECT_NE(help.find("train.optimizer.lr             float > 0"), std::string::npos) << help;
  EXPECT_NE(help.find("  conv        2-D convolution: name = \"\", repeat = 1, inputs = [], out "
                      "(required)"),
            std::string::npos)
      << help;
}

}  // namespace
}  // namespace camlab::experiments
