// cam_bench: images/s of explanation methods on 64 Fashion-MNIST-sized images (28x28) with
// fmnist-gapnet (built from experiments/configs/fmnist-gapnet.toml by the model builder), float32
// on the CPU, and the files bench/cam_reference.py needs to run the same computations in PyTorch
// and compare maps as well as speed: <dir>/checkpoint.h5 (the seeded weights, PyTorch state-dict
// names), <dir>/inputs.f32 (raw float32 [64, 1, 28, 28]), <dir>/<method>.f32 (our display maps,
// [64, 28, 28]) and <dir>/camlab.csv (method, images_per_s, threads, repetitions).
//
// Methods: gradcam, gradcam++, scorecam, ablationcam, and the later ones fullgrad, kpcacam,
// finercam, shapleycam, fem, segeigencam, sscam, fasterscorecam, dff, each with its defaults
// (MethodSettings{}, as `camlab explain` without options) at relu4 (FullGrad has no target layer).
// An optional comma list restricts the run; cam_reference.py times what camlab.csv lists.
//
//   $ cmake --build build -j2 --target cam_bench
//   $ OMP_NUM_THREADS=2 build/bench/cam_bench /tmp/cam_bench                 # all 13, minutes
//   $ OMP_NUM_THREADS=2 build/bench/cam_bench /tmp/cam_bench fem,kpcacam,dff   # a short run
//   $ python3 bench/cam_reference.py /tmp/cam_bench     # PyTorch, same threads, and the ratio
//
// Timing is cam_images_per_second (experiments/bench/workloads.h), as in `camlab bench`: one
// warm-up call, then the best of several. Score-CAM and Ablation-CAM run 64·64 = 4096 extra
// forwards each, in batches of kDefaultMethodBatch = 128 (ScoreCamOptions::batch_size, ...);
// Faster Score-CAM 64·10 = 640, SS-CAM 64·64·35 = 143360 (one timed call after the warm-up).
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "experiments/bench/workloads.h"
#include "experiments/config/config.h"
#include "experiments/model/model_builder.h"
#include "nn/checkpoint.h"
#include "tensor/ops.h"
#include "tensor/threads.h"

namespace {

using camlab::Tensor;
namespace ex = camlab::experiments;

constexpr int64_t kImages = 64;
constexpr uint64_t kSeed = 0;

void write_raw(const std::filesystem::path& path, const Tensor& t) {
  Tensor host = t.to(camlab::DType::Float32).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(host.raw_data()), host.numel() * 4);
}

// Every method this bench knows, with its timed calls after the warm-up (fewer where a call
// runs many extra forwards).
const std::vector<std::pair<std::string, int>>& all_methods() {
  static const std::vector<std::pair<std::string, int>> methods{
      {"gradcam", 5},  {"gradcam++", 5},   {"scorecam", 2}, {"ablationcam", 2},
      {"fullgrad", 5}, {"kpcacam", 2},     {"finercam", 5}, {"shapleycam", 5},
      {"fem", 5},      {"segeigencam", 5}, {"sscam", 1},    {"fasterscorecam", 3},
      {"dff", 3}};
  return methods;
}

// "a,b" -> the known methods among them, in the order given; an unknown name is an error.
bool select_methods(const std::string& list, std::vector<std::pair<std::string, int>>& out) {
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    const auto& known = all_methods();
    auto it =
        std::find_if(known.begin(), known.end(), [&](const auto& m) { return m.first == name; });
    if (it == known.end()) {
      std::fprintf(stderr, "cam_bench: unknown method '%s'; one of:", name.c_str());
      for (const auto& m : known) std::fprintf(stderr, " %s", m.first.c_str());
      std::fprintf(stderr, "\n");
      return false;
    }
    out.push_back(*it);
  }
  return !out.empty();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 3) {
    std::fprintf(stderr, "usage: cam_bench [DIR [method,method,...]]\n");
    return 2;
  }
  const std::filesystem::path dir = argc > 1 ? argv[1] : "cam_bench_out";
  std::vector<std::pair<std::string, int>> methods;
  if (argc > 2) {
    if (!select_methods(argv[2], methods)) return 2;
  } else {
    methods = all_methods();
  }
  std::filesystem::create_directories(dir);
  camlab::set_num_threads(omp_get_max_threads());  // OpenBLAS follows OMP_NUM_THREADS
  ex::Config cfg =
      ex::load_config(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/fmnist-gapnet.toml");
  camlab::Generator gen(kSeed);
  auto model = ex::build_model(cfg.layers(), cfg.blocks(), {1, 28, 28}, gen);
  model->eval();
  const Tensor images = camlab::ops::rand({kImages, 1, 28, 28}, gen);  // [64, 1, 28, 28] in [0, 1)
  camlab::nn::save_checkpoint(dir / "checkpoint.h5", *model, nullptr, nullptr, {});
  write_raw(dir / "inputs.f32", images);

  const std::string layer = cfg.get_string("model.cam_layer");
  const int threads = camlab::num_threads();
  std::printf("camlab, %d threads, %lld images 28x28, fmnist-gapnet, layer %s [64, 64, 14, 14]\n",
              threads, static_cast<long long>(kImages), layer.c_str());
  std::ofstream csv(dir / "camlab.csv");
  csv << "method,images_per_s,threads,repetitions\n";
  for (const auto& [method, repetitions] : methods) {
    camlab::cam::Explanation e;
    const double rate = ex::cam_images_per_second(method, *model, images, layer, repetitions, &e);
    write_raw(dir / (method + ".f32"), e.maps);
    std::printf("  %-14s %9.1f images/s  (%.4f s per batch of %lld)\n", method.c_str(), rate,
                double(kImages) / rate, static_cast<long long>(kImages));
    csv << method << "," << rate << "," << threads << "," << repetitions << "\n";
    std::fflush(stdout);
  }
  return 0;
}
