// Feature visualization by gradient ascent on the input (Erhan et al. 2009; Simonyan et al. 2014;
// Chollet, "Deep Learning with Python" §5.4.2; Olah et al. 2017, Lucid): synthesise the input
// that most excites a channel, a unit or a class, or dream from a given image.
//
//   FeatureVisOptions opt = recipe("lucid");               // fourier + adam + robustness
//   opt.layer = "conv4";
//   opt.units = parse_units("0:16");                       // channels 0..15, one forward per step
//   FeatureVisResult result = visualize_features(model, opt);
//   render::write_png(dir / "visualize_conv4.png", feature_grid(result));   // + record as JSON
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cam/render/image.h"
#include "cam/visualize/image_param.h"
#include "cam/visualize/objectives.h"
#include "cam/visualize/penalties.h"
#include "cam/visualize/transforms.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam::visualize {

enum class AscentOptimizer {
  Sgd,   // Chollet: x += lr · g / (√mean(g²) + 1e-5), the RMS taken per image
  Adam,  // Lucid: Adam with lr 0.05 on the parametrization
};
std::string_view optimizer_name(AscentOptimizer optimizer);  // "sgd", "adam"
AscentOptimizer parse_optimizer(std::string_view name);
Parametrization parse_parametrization(std::string_view name);

struct FeatureVisOptions {
  Objective objective = Objective::Channel;
  std::string layer;             // the hooked layer; unused by the class objective
  std::vector<int64_t> units;    // channels (channel, neuron), classes (class); diversity: one
                                 // channel; deepdream: unused
  Shape image_shape{1, 28, 28};  // [C, H, W] the model is fed at the last octave
  // deepdream: the image to dream from, [C, H, W] or [N, C, H, W] (required; sets image_shape).
  // Others: an optional start instead of noise, [C, H, W] (copied to every image of the batch).
  Tensor start_image;

  Parametrization parametrization = Parametrization::Pixel;
  AscentOptimizer optimizer = AscentOptimizer::Sgd;
  double lr = 0;        // 0: the optimizer's default (sgd 0.05, adam 0.05)
  int64_t steps = 40;   // per octave
  int64_t octaves = 1;  // > 1: start at image size / octave_scale^(octaves−1), upsample, go on
  double octave_scale = 1.4;
  double init_std = 0.1;  // std of the random start image (model input units)
  // When set, images are low + (high − low)·sigmoid(raw) (Lucid's to_valid_rgb): they stay in the
  // inputs' valid range. Give the data's range in model units, e.g. [(0 − mean)/std,
  // (1 − mean)/std]; the lucid recipe sets [−2, 2] as a stand-in.
  std::optional<ValueRange> value_range;
  int64_t border = -1;  // channel objective's crop per side; −1: auto_border()

  RobustnessOptions robustness;  // jitter / scale / rotation, drawn anew every step
  double l1 = 0;                 // penalty weights (penalties.h: means per image)
  double l2 = 0;
  double tv = 0;
  double class_l2 = 1.0;  // Simonyan's λ‖x‖² (as a mean), added to l2 for the class objective
  double blur_sigma = 0;  // > 0: Gaussian blur of the image every blur_every steps, no gradient
  int64_t blur_every = 4;
  int64_t batch = 4;       // diversity: how many images of the one channel
  double diversity = 1e2;  // diversity: weight of Σ_{a≠b}⟨Ĝ_a, Ĝ_b⟩ (Lucid: 1e2)
  uint64_t seed = 0;       // the start noise and every random transform
  // Lucid's redirected ReLU gradient (cam/methods/relu_rules.h) on every nn::ReLU during the
  // ascent: a unit silent on the start image still gets a gradient that wakes it. The forward
  // values are unchanged; only which gradients pass a silent ReLU.
  bool redirect_relu = true;
};

// Chollet's filter visualization: pixels, normalised-gradient SGD, no robustness, no penalties,
// 40 steps. Lucid's: Fourier, Adam 0.05, jitter 2 px, scale 0.9–1.1, rotation ±10°, 256 steps,
// images squashed into value_range [−2, 2] (replace it with the data's range).
// Error listing both for any other name.
FeatureVisOptions recipe(std::string_view name);

// "0:16" -> 0..15; "3" -> 3; "0:4,7,9:11" -> 0,1,2,3,7,9,10. Errors name the bad piece.
std::vector<int64_t> parse_units(std::string_view spec);

// ---- results (plain structs, ready for a to_json) ----
struct UnitRecord {
  int64_t image = 0;           // position in the batch and in the grid
  int64_t unit = 0;            // channel or class; −1 for deepdream
  double start_objective = 0;  // on the start image, untransformed
  double final_objective = 0;  // on the final image, untransformed
};

struct FeatureVisRecord {
  std::string objective;
  std::string layer;  // empty for class
  std::string parametrization;
  std::string optimizer;
  double lr = 0;
  int64_t steps = 0;
  int64_t octaves = 0;
  std::vector<int64_t> image_shape;  // [C, H, W] of the final images
  std::vector<double> value_range;   // [low, high], or empty when unbounded
  uint64_t seed = 0;
  std::vector<UnitRecord> units;
  PenaltyValues final_penalties;  // l1, l2, tv of the final images (batch means)
  double start_diversity = 0;     // diversity objective only: Σ_{a≠b}⟨Ĝ_a, Ĝ_b⟩
  double final_diversity = 0;
};

struct FeatureVisResult {
  Tensor images;  // [B, C, H, W] in model input units, on the CPU
  FeatureVisRecord record;
};

// Runs in eval() mode (every module's mode restored afterwards) with grad mode on; only the
// input's gradient is computed (autograd::grad), so the model's .grad() stay untouched.
// Errors: an unknown layer lists the valid names; a unit out of range names the layer and its
// channel count; channel and diversity need a layer with a spatial output [N, C, H, W].
FeatureVisResult visualize_features(nn::Module& model, const FeatureVisOptions& options);

struct FeatureGridOptions {
  int64_t columns = 8;
  int64_t min_cell = 84;  // px the longer side of each picture reaches (nearest, ×k)
  int64_t padding = 4;
  int64_t text_scale = 1;
};
// The images tiled with "ch 3" / "class 3" / "img 0" and the final objective under each, a title
// line with layer, objective and recipe. Each image standardised ×64 + 128 (display.h).
render::RgbImage feature_grid(const FeatureVisResult& result,
                              const FeatureGridOptions& options = {});

}  // namespace camlab::cam::visualize
