// `camlab visualize` behind its flags: a trained run, a checkpoint or an imported graph (.onnx)
// becomes FeatureVisOptions, the ascent runs, and the grid and its record are written.
//
//   VisualizeFlags f{.run = "resnet18.onnx", .layer = "layer4", .channels = "0:8",
//                    .recipe = "lucid"};
//   VisualizeOutcome o = run_visualize(f);   // o.figure: visualize/channel_layer4.png
//
// A model with a test set (a run) takes its image shape from the data. An imported graph needs
// none: it is fed [C, H, W] as the model file declares them (3 channels where it does not say; a
// symbolic side is --size, else 224), and its inputs are bounded to the ImageNet-normalised range
// of [0, 1] pixels. DeepDream starts from a test image (--image INDEX) or from a photo (--photo
// FILE, prepared with the ImageNet recipe at that size).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "cam/visualize/feature_vis.h"

namespace camlab::experiments {

struct VisualizeFlags {
  std::string run;                    // run directory, checkpoint .h5 or .onnx file
  std::string data;                   // an HDF5 dataset for a graph's test images; "" = none
  std::string layer;                  // required except for the class objective
  std::string channels = "0:16";      // units: channels or classes
  std::string objective = "channel";  // channel, neuron, class, deepdream or diversity
  std::string recipe = "chollet";     // chollet or lucid defaults
  int64_t steps = 0;                  // per octave; 0 = the recipe's
  int64_t size = 0;                   // image side; 0 = the data's (224 for a graph)
  int64_t octaves = 1;
  std::string regularize;  // jitter,scale,rotate,tv,l1,l2,blur
  std::string param;       // pixel or fourier; "" = the recipe's
  std::string optimizer;   // sgd or adam; "" = the recipe's
  int64_t image = 0;       // deepdream: the test image to start from
  std::string photo;       // deepdream: a JPEG/PNG to start from instead
  uint64_t seed = 0;
  bool plain_relu_grad = false;  // no redirected ReLU gradient
  std::filesystem::path out;     // "" = RUN_DIR/visualize
  std::string device = "cpu";
};

struct VisualizeOutcome {
  cam::visualize::FeatureVisResult result;
  std::filesystem::path figure;  // the grid PNG
  std::filesystem::path record;  // its JSON record beside it
};

// Errors name the flag and what would be valid.
VisualizeOutcome run_visualize(const VisualizeFlags& flags);

// Lucid's regularizers by name ("jitter,tv"), at the strengths of its tutorials.
void apply_regularizers(cam::visualize::FeatureVisOptions& options, const std::string& list);

}  // namespace camlab::experiments
