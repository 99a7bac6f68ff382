// cam_bench: images/s of Grad-CAM, Grad-CAM++, Score-CAM and Ablation-CAM on 64 Fashion-MNIST-sized
// images (28x28) with the fmnist-gapnet architecture, float32 on the CPU. It also writes what
// bench/cam_reference.py needs to run the same computations in PyTorch and compare:
// <dir>/checkpoint.h5 (the seeded weights, PyTorch state-dict names), <dir>/inputs.f32 (raw
// float32 [64, 1, 28, 28]), <dir>/<method>.f32 (our display maps, [64, 28, 28]) and
// <dir>/camlab.csv (method, images_per_s, threads).
//
//   $ cmake --build build -j2 --target camlab_cam
//   $ B=build; g++ -std=c++20 -O3 -march=native -fopenmp -I. bench/cam_bench.cpp
//       $B/cam/libcamlab_cam.a $B/cam/libcamlab_render.a $B/nn/libcamlab_nn.a
//       $B/autograd/libcamlab_autograd.a $B/tensor/libcamlab_tensor.a
//       -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -lfmt -lpng -lz
//       /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so -o cam_bench   (one line)
//   $ OMP_NUM_THREADS=2 ./cam_bench /tmp/cam_bench          # then:
//   $ python3 bench/cam_reference.py /tmp/cam_bench         # PyTorch, same threads, and the ratio
//
// Timing: one warm-up call, then the best of several calls (the machine may be shared: the best is
// the least disturbed). Score-CAM and Ablation-CAM run 64·64 = 4096 extra forwards each, in
// batches of options.batch_size = 128.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cam/methods/method.h"
#include "nn/nn.h"
#include "tensor/ops.h"

namespace {

using camlab::Generator;
using camlab::Tensor;
namespace nn = camlab::nn;
namespace cam = camlab::cam;
namespace ops = camlab::ops;

constexpr int64_t kImages = 64;
constexpr uint64_t kSeed = 0;

// fmnist-gapnet: conv3x3 1->32 pad 1, relu, conv 32->32, relu, maxpool 2, conv 32->64, relu,
// conv 64->64, relu, GAP, linear 64->10.
std::shared_ptr<nn::Sequential> fmnist_gapnet(Generator& gen) {
  auto conv = [&](int64_t in, int64_t out) {
    return std::make_shared<nn::Conv2d>(in, out, 3, nn::Conv2dOptions{.padding = 1}, gen);
  };
  return std::make_shared<nn::Sequential>(
      std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
          {"conv1", conv(1, 32)},
          {"relu1", std::make_shared<nn::ReLU>()},
          {"conv2", conv(32, 32)},
          {"relu2", std::make_shared<nn::ReLU>()},
          {"pool", std::make_shared<nn::MaxPool2d>(2)},
          {"conv3", conv(32, 64)},
          {"relu3", std::make_shared<nn::ReLU>()},
          {"conv4", conv(64, 64)},
          {"relu4", std::make_shared<nn::ReLU>()},
          {"gap", std::make_shared<nn::GlobalAvgPool>()},
          {"fc", std::make_shared<nn::Linear>(64, 10, true, gen)}});
}

double best_seconds(int repetitions, const std::function<void()>& run) {
  run();  // warm-up: first touch of buffers, BLAS threads
  double best = 1e30;
  for (int r = 0; r < repetitions; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

void write_raw(const std::filesystem::path& path, const Tensor& t) {
  Tensor host = t.to(camlab::DType::Float32).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(host.raw_data()), host.numel() * 4);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : "cam_bench_out";
  std::filesystem::create_directories(dir);
  Generator gen(kSeed);
  auto model = fmnist_gapnet(gen);
  model->eval();
  const Tensor images = ops::rand({kImages, 1, 28, 28}, gen);  // [64, 1, 28, 28] in [0, 1)
  nn::save_checkpoint(dir / "checkpoint.h5", *model, nullptr, nullptr, {});
  write_raw(dir / "inputs.f32", images);

  const int threads = omp_get_max_threads();
  std::printf(
      "camlab, %d threads, %lld images 28x28, fmnist-gapnet, layer relu4 [64, 64, 14, 14]\n",
      threads, static_cast<long long>(kImages));
  std::ofstream csv(dir / "camlab.csv");
  csv << "method,images_per_s,threads\n";
  for (const auto& [method, repetitions] : std::vector<std::pair<std::string, int>>{
           {"gradcam", 5}, {"gradcam++", 5}, {"scorecam", 2}, {"ablationcam", 2}}) {
    cam::MethodOptions options;
    options.layers = {"relu4"};
    auto explainer = cam::make_method(method, *model, options);
    cam::Explanation e;
    const double seconds = best_seconds(repetitions, [&] { e = explainer->explain(images); });
    write_raw(dir / (method + ".f32"), e.maps);
    const double rate = static_cast<double>(kImages) / seconds;
    std::printf("  %-12s %9.1f images/s  (%.4f s per batch of %lld)\n", method.c_str(), rate,
                seconds, static_cast<long long>(kImages));
    csv << method << "," << rate << "," << threads << "\n";
  }
  return 0;
}
