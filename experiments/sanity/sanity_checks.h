// The model-randomization sanity checks of Adebayo et al. 2018 ("Sanity Checks for Saliency
// Maps", NeurIPS): each method's maps on fixed images and classes, recomputed after every step of
// cascading and independent layer randomization (and, with `against`, on a network trained on
// permuted labels), compared with the trained network's maps by Spearman's ρ (signed and absolute),
// SSIM and HOG similarity, averaged over the images.
//
//   SanityImages in{.fed = fed, .targets = classes, .display = raw};   // [N, C, H, W], int64 [N]
//   SanityResult r = sanity_checks(*model, in, {.methods = {"gradcam", "saliency"},
//                                               .out = "runs/quick/sanity"});
//   r.rows[0];   // {"cascading", "fc", "gradcam", spearman, spearman_abs, ssim, hog}
//   // runs/quick/sanity/sanity.csv, sanity.md, cascading.png, independent.png
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::experiments {

struct SanityImages {
  Tensor fed;      // [N, C, H, W] float32, as the model takes them (normalised)
  Tensor targets;  // int64 [N]: the class each map explains, the same for every model
  Tensor display;  // [N, C, H, W] the images as shown in the figures (raw pixels)
};

// A second trained network compared with the first as a whole (data randomization, sec. 4): the
// same architecture trained on permuted labels, fed the same images through its own pipeline.
struct SanityAgainst {
  nn::Module* model = nullptr;  // null: no data randomization test
  Tensor fed;                   // [N, C, H, W] the same images as that model takes them
  std::string name;             // the figure column and CSV layer: the run's folder name
};

struct SanityOptions {
  std::vector<std::string> methods;
  std::string cam_layer;  // the methods' target layer; "" = each method's automatic choice
  std::vector<std::string> layers;  // layers to randomize; empty = every parametrised layer
  bool cascading = true;
  bool independent = true;
  uint64_t seed = 0;         // re-initialisations, Random-CAM's weights, SmoothGrad's noise
  int64_t batch_size = 64;   // images per explanation call (and the methods' own batches)
  int64_t figure_image = 0;  // which image the figures show
  Device device = Device::cpu();
  std::filesystem::path out;  // "" = write nothing
};

// One CSV row: the mean over the images of each similarity to the trained network's maps.
struct SimilarityRow {
  std::string randomization;  // "cascading", "independent" or "labels"
  std::string layer;          // cascading: the lowest layer randomized so far
  std::string method;
  double spearman = 0;      // ρ of the signed maps (pixel attributions summed over channels)
  double spearman_abs = 0;  // ρ of their absolute values
  double ssim = 0;          // of the maps min-max normalised to [0, 1]
  double hog = 0;           // Pearson's r of the HOG descriptors of those maps
};

struct SanityResult {
  std::vector<std::string> layers;  // the randomized layers, top first
  std::vector<SimilarityRow> rows;  // per schedule, per step, per method
  int64_t images = 0;
  std::vector<std::filesystem::path> written;
};

// Runs the checks; the model's weights are restored afterwards. Errors (an unknown method, a layer
// that is not parametrised, a target layer a method cannot use) are one line and come before any
// randomization.
SanityResult sanity_checks(nn::Module& model, const SanityImages& images,
                           const SanityOptions& options, const SanityAgainst& against = {});

// The rows as CSV (randomization,layer,method,spearman,spearman_abs,ssim,hog) and as a Markdown
// table.
std::string sanity_csv(const SanityResult& result);
std::string sanity_table(const SanityResult& result);

}  // namespace camlab::experiments
