// checkpoint_diff: are two camlab checkpoints bit-identical? For scripts/soak-resume.sh, which
// compares a run killed and resumed many times with an uninterrupted one.
//
//   build/tests/checkpoint_diff runs/ref/checkpoint.h5 runs/soak/checkpoint.h5
//   # exit 0: same epoch, step, keys, shapes, dtypes and bytes in /model and /optimizer
//   # exit 1: one line naming the first difference
#include <fmt/format.h>

#include <cstring>

#include "nn/checkpoint.h"

using namespace camlab;

namespace {

// The first difference between two groups, or "" when they match bit for bit.
std::string first_difference(const nn::NamedTensors& a, const nn::NamedTensors& b,
                             const std::string& group) {
  if (a.keys() != b.keys()) {
    return fmt::format("/{} keys differ: [{}] vs [{}]", group, nn::join_names(a.keys()),
                       nn::join_names(b.keys()));
  }
  for (const auto& [key, left] : a) {
    const Tensor& right = b.at(key);
    if (left.shape() != right.shape() || left.dtype() != right.dtype()) {
      return fmt::format("/{}/{}: {} {} vs {} {}", group, key, dtype_name(left.dtype()),
                         shape_str(left.shape()), dtype_name(right.dtype()),
                         shape_str(right.shape()));
    }
    const Tensor x = left.contiguous(), y = right.contiguous();
    const size_t bytes = static_cast<size_t>(x.numel()) * dtype_size(x.dtype());
    if (std::memcmp(x.raw_data(), y.raw_data(), bytes) != 0) {
      return fmt::format("/{}/{} {}: the values differ", group, key, shape_str(x.shape()));
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: checkpoint_diff A.h5 B.h5\n");
    return 2;
  }
  try {
    const nn::Checkpoint a = nn::read_checkpoint(argv[1]), b = nn::read_checkpoint(argv[2]);
    std::string difference;
    if (a.info.epoch != b.info.epoch || a.info.step != b.info.step) {
      difference = fmt::format("epoch/step {}/{} vs {}/{}", a.info.epoch, a.info.step, b.info.epoch,
                               b.info.step);
    }
    if (difference.empty()) difference = first_difference(a.model, b.model, "model");
    if (difference.empty()) difference = first_difference(a.optimizer, b.optimizer, "optimizer");
    if (!difference.empty()) {
      fmt::print(stderr, "checkpoint_diff: {} and {} differ: {}\n", argv[1], argv[2], difference);
      return 1;
    }
    fmt::print("checkpoint_diff: bit-identical ({} model and {} optimizer tensors)\n",
               a.model.size(), a.optimizer.size());
    return 0;
  } catch (const Error& e) {
    fmt::print(stderr, "checkpoint_diff: {}\n", e.what());
    return 2;
  }
}
