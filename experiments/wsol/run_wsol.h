// `camlab localize` and `camlab segment` behind their flags. A trained model becomes a WsolModel
// here, once for both verbs (the CAM layer from explain.layer or model.cam_layer, the class count
// from one forward, the dataset checked against both), and every flag left unset takes its key
// from the run's config (localize.* or segment.*).
//
//   TrainedModel t = load_trained_model("runs/voc", {}, "data/boxes.h5", "cpu");
//   LocalizeResult boxes = run_localize(t, {.data = "data/boxes.h5", .methods = "cam,gradcam"},
//                                       {.sweep = true});
//   SegmentResult masks = run_segment(t, {.data = "data/masks.h5"}, {.train_segmenter = true});
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/train/trained_model.h"
#include "experiments/wsol/localize.h"
#include "experiments/wsol/segment.h"
#include "experiments/wsol/wsol_data.h"

namespace camlab::experiments {

// What both verbs ask: which images, which methods, where the results go.
struct WsolFlags {
  std::string data;                 // the HDF5 file explained; "" = the run's test set
  std::string methods;              // comma-separated; "" = <verb>.methods
  std::optional<double> threshold;  // box rule / foreground seeds; unset = <verb>.thresholds[0]
  int64_t count = -1;               // the first images; -1 = <verb>.count, 0 = all
  int64_t batch_size = 64;          // images per explanation call
  int64_t figure_rows = 8;          // images in the figure
  std::filesystem::path out;        // "" = RUN_DIR/<verb>
};

struct LocalizeFlags {
  bool sweep = false;  // MaxBoxAcc over thresholds 0, step, ... < 1
  double sweep_step = 0.01;
  int64_t faithfulness = -1;  // images scored by Average Drop ... Insertion; -1 = all, 0 = none
  int64_t steps = 20;         // deletion / insertion steps
  std::string baseline;       // "black", "blur" or "mean"; "" = localize.baseline
  bool road = false;          // ROAD and ARCC too; false = localize.road
};

struct SegmentFlags {
  std::optional<double> background;  // unset = segment.background_threshold
  bool train_segmenter = false;
  std::string segmenter_method;  // "" = the first method
  std::string train_data;        // "" = the run's training split, from its config.toml
  int64_t train_count = 2000;
  int64_t epochs = 4;
  double lr = 1e-3;
  bool expand = true;                  // false: seed loss only (the ablation)
  std::string explain_segmenter;       // comma-separated methods; "" = do not explain it
  std::vector<std::string> overrides;  // --set, applied to the run's config.toml as well
};

// The trained model seen by the WSOL evaluations, with the dataset checked for `verb` ("localize"
// needs /boxes, "segment" /masks) and the class count taken from one forward.
struct WsolSetup {
  WsolModel model;
  std::string source;         // "file X.h5" or "test set of RUN": how errors name the data
  std::string data_name;      // recorded in metrics.json
  std::filesystem::path out;  // the output folder
};
WsolSetup prepare_wsol(const TrainedModel& trained, std::string_view verb, const WsolFlags& flags);

LocalizeResult run_localize(const TrainedModel& trained, const WsolFlags& flags,
                            const LocalizeFlags& localize_flags);
SegmentResult run_segment(const TrainedModel& trained, const WsolFlags& flags,
                          const SegmentFlags& segment_flags);

}  // namespace camlab::experiments
