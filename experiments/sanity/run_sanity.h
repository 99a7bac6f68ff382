// `camlab sanity` behind its flags: a trained run's first test images, the classes its network
// predicts for them, and the checks of sanity_checks.h; with `against`, a second run (the same
// net trained on permuted labels, `data.permute_labels = true`) compared map for map.
//
//   TrainedModel t = load_trained_model("runs/quick", {}, "", "cpu");
//   SanityResult r = run_sanity(t, {.methods = "gradcam,saliency", .images = 8});
//   TrainedModel shuffled = load_trained_model("runs/quick-permuted", {}, "", "cpu");
//   run_sanity(t, {.methods = "gradcam"}, &shuffled);    // adds the "labels" rows
//
// Flags left empty take the run's config: explain.methods, explain.layer (else model.cam_layer),
// experiment.seed; the output goes to RUN_DIR/sanity.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "experiments/sanity/sanity_checks.h"
#include "experiments/train/trained_model.h"

namespace camlab::experiments {

struct SanityFlags {
  std::string methods;    // comma-separated; "" = explain.methods
  std::string layers;     // comma-separated layers to randomize; "" = all parametrised ones
  std::string cam_layer;  // "" = explain.layer, else model.cam_layer
  std::string schedules = "cascading,independent";  // either or both
  int64_t images = 16;                              // the first N test images
  int64_t batch_size = 64;
  int64_t figure_image = 0;   // which of them the figures show
  std::filesystem::path out;  // "" = RUN_DIR/sanity
};

SanityResult run_sanity(const TrainedModel& trained, const SanityFlags& flags,
                        const TrainedModel* against = nullptr);

}  // namespace camlab::experiments
