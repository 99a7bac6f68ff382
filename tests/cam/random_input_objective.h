// The feature-visualization tests' baseline: what random inputs give a channel.
//
//   std::vector<double> baseline = random_input_objective(*net, options, 4, /*first_seed=*/1000);
//   EXPECT_GT(record.units[i].final_objective, 5 * baseline[i]);
#pragma once

#include <cstdint>
#include <vector>

#include "cam/visualize/feature_vis.h"
#include "nn/module.h"
#include "tensor/generator.h"
#include "tensor/ops.h"

namespace camlab::cam::visualize {

// The objective on N(0, 1) noise images (the std of normalised inputs, in model units), averaged
// over `samples` draws seeded first_seed, first_seed + 1, ... Zero-step runs from a given start
// (one [C, H, W] image copied to the whole batch), so it works for any model and objective.
inline std::vector<double> random_input_objective(nn::Module& model, FeatureVisOptions o,
                                                  int samples, uint64_t first_seed) {
  o.steps = 0;
  std::vector<double> mean(o.units.size(), 0.0);
  for (int s = 0; s < samples; ++s) {
    Generator gen(first_seed + static_cast<uint64_t>(s));
    o.start_image = ops::randn(o.image_shape, gen);
    const FeatureVisRecord r = visualize_features(model, o).record;
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += r.units[i].start_objective / samples;
  }
  return mean;
}

}  // namespace camlab::cam::visualize
