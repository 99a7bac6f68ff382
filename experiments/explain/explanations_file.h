// The explanations HDF5 file (docs/formats.md): every method's maps for a set of images, with
// exactly what the network was fed, so figures and metrics can be recomputed without the model.
//
//   ExplanationsFile file{.inputs = x, .logits = logits, .targets = t, .indices = idx,
//                         .layer = "conv4"};
//   file.maps["gradcam"] = e.maps;   file.raw["gradcam"] = e.raw;
//   write_explanations("runs/quick/explain/maps.h5", file);   // atomic: tmp + rename
//
// Layout: /maps/<method> float32 [N, H, W] in [0, 1], /raw/<method> float32 [N, h, w],
// /targets int64 [N], /classes/<method> int64 [N], /indices int64 [N],
// /inputs float32 [N, C, H, W], /logits float32 [N, K],
// root attribute `layer`.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "tensor/tensor.h"

namespace camlab::experiments {

struct ExplanationsFile {
  Tensor inputs;   // [N, C, H, W]
  Tensor logits;   // [N, K]
  Tensor targets;  // int64 [N]
  Tensor indices;  // int64 [N]
  std::string layer;
  std::map<std::string, Tensor> maps;  // method -> [N, H, W]
  std::map<std::string, Tensor> raw;   // method -> [N, h, w]
  // key -> int64 [N]: the class each image's map explains (keys as in `maps`; with several
  // targets per image the keys are "method:target" and each records its own classes)
  std::map<std::string, Tensor> classes;
};

void write_explanations(const std::filesystem::path& path, const ExplanationsFile& file);
ExplanationsFile read_explanations(const std::filesystem::path& path);

}  // namespace camlab::experiments
