// cam_bench: images/s of Grad-CAM, Grad-CAM++, Score-CAM and Ablation-CAM on 64 Fashion-MNIST-sized
// images (28x28) with fmnist-gapnet (built from experiments/configs/fmnist-gapnet.toml by the
// model builder), float32 on the CPU, and the files bench/cam_reference.py needs to run the same
// computations in PyTorch and compare maps as well as speed: <dir>/checkpoint.h5 (the seeded
// weights, PyTorch state-dict names), <dir>/inputs.f32 (raw float32 [64, 1, 28, 28]),
// <dir>/<method>.f32 (our display maps, [64, 28, 28]) and <dir>/camlab.csv (method, images_per_s,
// threads).
//
//   $ cmake --build build -j2 --target cam_bench
//   $ OMP_NUM_THREADS=2 build/bench/cam_bench /tmp/cam_bench
//   $ python3 bench/cam_reference.py /tmp/cam_bench     # PyTorch, same threads, and the ratio
//
// Timing is cam_images_per_second (experiments/bench/workloads.h), as in `camlab bench`: one
// warm-up call, then the best of several. Score-CAM and Ablation-CAM run 64·64 = 4096 extra
// forwards each, in batches of kDefaultMethodBatch = 128 (ScoreCamOptions::batch_size, ...).
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
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

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : "cam_bench_out";
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
  csv << "method,images_per_s,threads\n";
  for (const auto& [method, repetitions] : std::vector<std::pair<std::string, int>>{
           {"gradcam", 5}, {"gradcam++", 5}, {"scorecam", 2}, {"ablationcam", 2}}) {
    camlab::cam::Explanation e;
    const double rate = ex::cam_images_per_second(method, *model, images, layer, repetitions, &e);
    write_raw(dir / (method + ".f32"), e.maps);
    std::printf("  %-12s %9.1f images/s  (%.4f s per batch of %lld)\n", method.c_str(), rate,
                double(kImages) / rate, static_cast<long long>(kImages));
    csv << method << "," << rate << "," << threads << "\n";
  }
  return 0;
}
