// PyTorch interchange: tools/camlab_to_torch.py and tools/torch_to_camlab.py move fmnist-gapnet's
// weights each way, and the forward pass agrees in both frameworks; `camlab explain` explains a
// converted checkpoint. Skips where /usr/bin/python3 cannot import torch and h5py.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "autograd/grad_mode.h"
#include "datasets/fashion_mnist.h"
#include "experiments/cli/command.h"
#include "experiments/config/config.h"
#include "experiments/model/model_builder.h"
#include "experiments/run/atomic_write.h"
#include "nn/checkpoint.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = CAMLAB_SOURCE_DIR;
const fs::path kConfig = kSource / "experiments/configs/fmnist-gapnet.toml";
constexpr int64_t kImages = 3;

// The same network in PyTorch, its modules named as camlab's builder names fmnist-gapnet's layers
// (conv1, relu1, ..., maxpool1, ..., gap1, fc), so the state_dict keys match one to one.
constexpr const char* kTorchScript = R"py(
import collections, sys
import numpy as np
import torch
from torch import nn

class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))

def gapnet():
    return nn.Sequential(collections.OrderedDict([
        ("conv1", nn.Conv2d(1, 32, 3, padding=1)), ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(32, 32, 3, padding=1)), ("relu2", nn.ReLU()),
        ("maxpool1", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(32, 64, 3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(64, 64, 3, padding=1)), ("relu4", nn.ReLU()),
        ("gap1", GlobalAvgPool()), ("fc", nn.Linear(64, 10))]))

mode, weights, inputs, outputs = sys.argv[1:5]
torch.manual_seed(3)
model = gapnet()
if mode == "make":
    # Non-default weights so a transposed or misnamed tensor cannot go unnoticed.
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)
    torch.save(model.state_dict(), weights)
else:
    model.load_state_dict(torch.load(weights))  # strict: every name must match
model.eval()
x = torch.from_numpy(np.fromfile(inputs, dtype=np.float32).reshape(-1, 1, 28, 28))
with torch.no_grad():
    model(x).numpy().astype(np.float32).tofile(outputs)
)py";

bool torch_available() {
  static const bool available =
      std::system("/usr/bin/python3 -c 'import torch, h5py' > /dev/null 2>&1") == 0;
  return available;
}

int run(const std::string& command) { return std::system((command + " 2>&1").c_str()); }

std::vector<float> test_images() {
  std::vector<float> x(kImages * 28 * 28);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) * 0.8 +
                              0.3 * std::cos(0.011 * static_cast<double>(i * i % 997)));
  }
  return x;
}

void write_floats(const fs::path& path, const std::vector<float>& values) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(values.data()),
             static_cast<std::streamsize>(values.size() * sizeof(float)));
}

std::vector<float> read_floats(const fs::path& path) {
  const std::string bytes = read_text(path);
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

std::vector<float> camlab_logits(nn::Module& model, const std::vector<float>& images) {
  autograd::NoGradGuard no_grad;  // inference: the logits' values only
  model.eval();
  Tensor x = Tensor::from_vector(images, {kImages, 1, 28, 28});
  Tensor logits = model(x).contiguous();  // [3, 10]
  const float* data = logits.data<float>();
  return std::vector<float>(data, data + logits.numel());
}

::testing::AssertionResult logits_agree(const std::vector<float>& got,
                                        const std::vector<float>& want) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << got.size() << " logits vs " << want.size();
  }
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double diff = std::abs(static_cast<double>(got[i]) - want[i]);
    if (diff > worst) worst = diff, at = i;
  }
  // Both sides are float32 with different summation orders.
  if (worst <= 1e-4 + 1e-4 * std::abs(want[at])) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "logit " << at << ": camlab " << got[at] << " vs torch "
                                       << want[at] << " (max |diff| " << worst << ")";
}

struct Interchange : ::testing::Test {
  void SetUp() override {
    if (!torch_available()) GTEST_SKIP() << "/usr/bin/python3 cannot import torch and h5py";
    test::write_file(script, kTorchScript);
    write_floats(inputs, images);
  }
  std::string python(const std::string& args) const { return "/usr/bin/python3 " + args; }

  test::TempDir tmp;
  fs::path script = tmp.path() / "gapnet_torch.py";
  fs::path inputs = tmp.path() / "inputs.f32";
  std::vector<float> images = test_images();
};

TEST_F(Interchange, CamlabCheckpointGivesTheSameLogitsInTorch) {
  const Config cfg = load_config(kConfig.string());
  Generator gen(11);
  auto model = build_model(cfg.layers(), cfg.blocks(), {1, 28, 28}, gen);
  const std::vector<float> want = camlab_logits(*model, images);
  const fs::path checkpoint = tmp.path() / "gapnet.h5", pt = tmp.path() / "gapnet.pt";
  nn::save_checkpoint(checkpoint, *model, nullptr, nullptr,
                      {.config = read_text(kConfig), .epoch = 4, .step = 100});

  ASSERT_EQ(run(python((kSource / "tools/camlab_to_torch.py").string() + " " + checkpoint.string() +
                       " " + pt.string() + " --config-out " + (tmp.path() / "back.toml").string())),
            0);
  EXPECT_EQ(read_text(tmp.path() / "back.toml"), read_text(kConfig));
  const fs::path out = tmp.path() / "torch_logits.f32";
  ASSERT_EQ(run(python(script.string() + " load " + pt.string() + " " + inputs.string() + " " +
                       out.string())),
            0);
  EXPECT_TRUE(logits_agree(read_floats(out), want));
}

TEST_F(Interchange, TorchStateDictGivesTheSameLogitsInCamlabAndExplains) {
  const fs::path pt = tmp.path() / "torch.pt", torch_logits = tmp.path() / "torch_logits.f32";
  ASSERT_EQ(run(python(script.string() + " make " + pt.string() + " " + inputs.string() + " " +
                       torch_logits.string())),
            0);
  const fs::path converted = tmp.path() / "from_torch.h5";
  ASSERT_EQ(run(python((kSource / "tools/torch_to_camlab.py").string() + " " + pt.string() + " " +
                       converted.string() + " --config " + kConfig.string())),
            0);

  // The checkpoint carries its architecture: rebuild from its config, load strictly, compare.
  const nn::Checkpoint saved = nn::read_checkpoint(converted);
  EXPECT_EQ(saved.info.epoch, 0);
  EXPECT_EQ(saved.model.size(), 10u);  // weight and bias of conv1..conv4 and fc
  const Config cfg = parse_config(saved.info.config, converted.string());
  Generator gen(0);
  auto model = build_model(cfg.layers(), cfg.blocks(), {1, 28, 28}, gen);
  nn::load_checkpoint(converted, *model);
  EXPECT_TRUE(logits_agree(camlab_logits(*model, images), read_floats(torch_logits)));

  // `camlab explain` takes the converted file as it takes a run's checkpoint: the config inside
  // names the data (Fashion-MNIST, the first 16 test images here).
  if (!fs::exists(fs::path(datasets::fashion_mnist_dir()) / "t10k-images-idx3-ubyte") &&
      !fs::exists(fs::path(datasets::fashion_mnist_dir()) / "t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "no Fashion-MNIST in " << datasets::fashion_mnist_dir()
                 << " to explain (logits agreed)";
  }
  const fs::path out = tmp.path() / "explained";
  const int status =
      cli::explain_main({converted.string(), "--methods", "gradcam,cam", "--indices", "0:2",
                         "--out", out.string(), "--device", "cpu", "--set", "data.test_subset=16"});
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(fs::exists(out / "explain.png"));
}

}  // namespace
}  // namespace camlab::experiments
