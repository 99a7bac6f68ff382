// Intermediate activations (Chollet, "Deep Learning with Python" §5.4.1): what each channel of a
// layer responds to in one image, every channel shown as a standardised grey picture in a grid.
//
//   auto acts = capture_activations(model, image, {"conv1", "conv2"});  // image: [C, H, W]
//   for (const LayerActivation& a : acts) {
//     ActivationGrid grid = activation_grid(a);       // title "conv1 [32, 28, 28]", cells
//     "0".."31" render::write_png(dir / activation_file_name(a.name), grid.image);
//   }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cam/render/image.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam::visualize {

struct LayerActivation {
  std::string name;
  Tensor value;  // [C, h, w]: the layer's output for the one image
};

// Runs the model once (eval mode, no graph) with a forward hook on each named layer. image:
// [C, H, W] or [1, C, H, W]. Errors: an unknown layer lists the valid names; a layer whose
// output is not [1, C, h, w] lists the layers that are.
std::vector<LayerActivation> capture_activations(nn::Module& model, const Tensor& image,
                                                 const std::vector<std::string>& layers);

struct ActivationGridOptions {
  int64_t columns = 16;    // Chollet's images_per_row; capped at the channel count
  int64_t min_cell = 56;   // px the longer side of each channel picture reaches (nearest, ×k)
  int64_t padding = 4;     // px around and between cells
  int64_t text_scale = 1;  // channel labels; the title is drawn twice as large
};

// Where a channel's picture sits in the grid image.
struct CellBox {
  int64_t x = 0;
  int64_t y = 0;
  int64_t width = 0;
  int64_t height = 0;
};

struct ActivationGrid {
  render::RgbImage image;
  std::string title;                   // "conv1 [32, 28, 28]"
  std::vector<std::string> labels;     // one per channel, under its picture: "7" or "7 dead"
  std::vector<CellBox> cells;          // one per channel, row-major
  std::vector<int64_t> dead_channels;  // all-zero channels: black, labelled "dead"
};

// One cell per channel, each standardised on its own (x − mean)/std·64 + 128 (display.h).
ActivationGrid activation_grid(const LayerActivation& activation,
                               const ActivationGridOptions& options = {});

// "activations_conv1.png"; dots in dotted names become '_' ("activations_features_3.png").
std::string activation_file_name(const std::string& layer);

}  // namespace camlab::cam::visualize
