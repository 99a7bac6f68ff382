// `camlab segment`: class maps turned into seed masks and scored by mean IoU against true masks;
// optionally a segmenter trained SEC-style from seeds of the training images (segmenter.h).
//
//   SegmentResult r = segment(m, test, &train, pipeline,
//                             {.methods = {"cam"}, .train_segmenter = true, .out = "runs/x/seg"});
//   r.seeds[0].miou;                 // the raw seeds of the first method
//   r.segmenter->miou;               // the segmenter's arg-max on the test images
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cam/metrics/segmentation.h"
#include "experiments/wsol/segmenter.h"
#include "experiments/wsol/wsol_data.h"

namespace camlab::experiments {

struct SegmentOptions {
  std::vector<std::string> methods = {"cam"};
  cam::SeedOptions seeds;
  int64_t count = 0;  // the first images of the evaluation set; 0 = all
  bool train_segmenter = false;
  std::string segmenter_method;  // whose seeds train it; "" = the first method
  int64_t train_count = 2000;    // training images whose seeds it learns from
  SegmenterTraining training;
  // Explain the trained segmenter with these methods (its own figure, segmenter-explain/): each
  // image's class through the segmentation target; empty = no. Needs train_segmenter and out.
  std::vector<std::string> explain_segmenter;
  int64_t figure_rows = 8;
  std::filesystem::path out;  // "" writes nothing
  std::string data_name;      // recorded in metrics.json
};

struct SeedScores {
  std::string method;
  double miou = 0;
  std::vector<double> ious;  // background, then each class (NaN where absent)
  double coverage = 0;       // share of pixels with a seed
  double precision = 0;      // share of seeded pixels whose seed is the true label
};

struct SegmenterScores {
  std::string method;  // whose seeds trained it
  int64_t train_images = 0;
  std::vector<double> losses;  // per epoch
  double train_seed_precision = 0;
  double miou = 0;              // arg-max over every label
  double miou_with_labels = 0;  // arg-max over background and the image's classes
  std::vector<double> ious;     // of miou_with_labels
  double seeds_miou = 0;        // the same method's raw seeds, for comparison
};

struct SegmentResult {
  int64_t images = 0;
  SegmentOptions options;
  std::vector<SeedScores> seeds;
  std::optional<SegmenterScores> segmenter;
};

// Seed masks (uint8 [N, H, W], 255 = no seed) of every item from `method`'s maps of its classes.
Tensor seed_masks(const WsolModel& model, const std::string& method,
                  const datasets::ImageDataset& data, const Tensor& fed,
                  const cam::SeedOptions& options);

// train: the images the segmenter learns from (their labels only); needed with train_segmenter.
SegmentResult segment(const WsolModel& model, const datasets::ImageDataset& data,
                      const datasets::ImageDataset* train, const datasets::Pipeline& pipeline,
                      const SegmentOptions& options);

std::string segment_table(const SegmentResult& result);
nlohmann::json segment_json(const SegmentResult& result);

}  // namespace camlab::experiments
