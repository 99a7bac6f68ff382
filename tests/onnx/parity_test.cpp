// torchvision parity: tools/onnx_parity.py exports torchvision classifiers with random weights
// (fixed seed) into a temporary folder, with PyTorch's logits and Grad-CAM, Grad-CAM++, LayerCAM
// (and Score-CAM) maps at the last stage; camlab imports each model and must match the logits to
// 1e-4 and the maps to 1e-3, relative to the largest magnitude. Skips when python3 lacks torch,
// torchvision or onnx. CAMLAB_ONNX_PARITY_MODELS=resnet50,densenet121,... tests more models.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "autograd/grad_mode.h"
#include "cam/methods/method.h"
#include "nn/graph/graph.h"
#include "nn/onnx/onnx_import.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

namespace fs = std::filesystem;

// max |got − want| / max |want|
double relative_error(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(shape_str(got.shape()), shape_str(want.shape()));
  const std::vector<double> g = test::values(got), w = test::values(want);
  double diff = 0, scale = 0;
  for (size_t i = 0; i < g.size() && i < w.size(); ++i) {
    diff = std::max(diff, std::abs(g[i] - w[i]));
    scale = std::max(scale, std::abs(w[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

// The first python3 that imports torch, torchvision and onnx ("" when none does).
std::string find_python() {
  std::vector<std::string> candidates;
  if (const char* chosen = std::getenv("CAMLAB_PYTHON")) candidates.emplace_back(chosen);
  candidates.insert(candidates.end(), {"python3", "/usr/bin/python3"});
  for (const std::string& python : candidates) {
    const std::string probe = python + " -c 'import torch, torchvision, onnx' > /dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return python;
  }
  return "";
}

class OnnxParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CAMLAB_ONNX_PARITY_DIR: a folder tools/onnx_parity.py already filled (kept afterwards).
    if (const char* ready = std::getenv("CAMLAB_ONNX_PARITY_DIR")) {
      python_ = "(pre-exported)";
      reuse_ = fs::path(ready);
      return;
    }
    python_ = find_python();
    if (python_.empty()) return;
    folder_ = fs::temp_directory_path() / fmt::format("camlab_onnx_parity_{}", ::getpid());
    const char* models = std::getenv("CAMLAB_ONNX_PARITY_MODELS");
    const std::string command =
        fmt::format("{} {}/tools/onnx_parity.py --out {} --models {}", python_, CAMLAB_SOURCE_DIR,
                    folder_.string(), models ? models : "resnet18");
    export_status_ = std::system(command.c_str());
  }
  static void TearDownTestSuite() {
    if (!folder_.empty()) fs::remove_all(folder_);
  }
  static inline std::string python_;
  static inline fs::path folder_;
  static inline int export_status_ = 0;
  static inline fs::path reuse_;
};

TEST_F(OnnxParity, LogitsAndCamMapsMatchPyTorch) {
  if (python_.empty())
    GTEST_SKIP() << "no python3 with torch, torchvision and onnx (apt install "
                    "python3-torch python3-torchvision python3-onnx)";
  ASSERT_EQ(export_status_, 0) << "tools/onnx_parity.py failed";
  int models = 0;
  for (const auto& entry : fs::directory_iterator(reuse_.empty() ? folder_ : reuse_)) {
    const fs::path dir = entry.path();
    const std::string name = dir.filename().string();
    if (fs::exists(dir / "export_error.txt")) {
      std::ifstream why(dir / "export_error.txt");
      std::string line;
      std::getline(why, line);
      fmt::print("parity {}: PyTorch could not export it ({})\n", name, line);
      continue;
    }
    std::ifstream layer_file(dir / "layer.txt");
    std::string layer, opset;
    layer_file >> layer >> opset;
    auto graph = std::make_shared<nn::Graph>(nn::import_onnx(dir / "model.onnx"));
    graph->eval();
    // CAMLAB_ONNX_PARITY_DEVICE=cuda runs camlab's side on the GPU.
    const char* device_name = std::getenv("CAMLAB_ONNX_PARITY_DEVICE");
    const Device device = device_name ? Device::parse(device_name) : Device::cpu();
    graph->to(device);
    const Tensor images = nn::read_onnx_tensor(dir / "input.pb").to(device);
    Tensor logits;
    {
      autograd::NoGradGuard no_grad;
      logits = (*graph)(images);
    }
    const double logit_error = relative_error(logits, nn::read_onnx_tensor(dir / "logits.pb"));
    EXPECT_LE(logit_error, 1e-4) << name << " logits";
    std::string figures =
        fmt::format("{} (opset {}, layer {}): logits {:.1e}", name, opset, layer, logit_error);
    for (const char* method : {"gradcam", "gradcam++", "layercam", "scorecam"}) {
      if (!fs::exists(dir / (std::string(method) + ".pb"))) continue;
      auto explainer = cam::make_method(method, *graph, {.common = {.layers = {layer}}});
      cam::Explanation e = explainer->explain(images);
      const double map_error =
          relative_error(e.raw, nn::read_onnx_tensor(dir / (std::string(method) + ".pb")));
      EXPECT_LE(map_error, 1e-3) << name << " " << method;
      figures += fmt::format(", {} {:.1e}", method, map_error);
    }
    fmt::print("parity {}\n", figures);
    ++models;
  }
  EXPECT_GT(models, 0);
}

}  // namespace
}  // namespace camlab
