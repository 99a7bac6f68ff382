// `camlab localize`: every method's maps scored as object detectors and as explanations, on a
// dataset with true boxes (docs/cam.md, "Scoring maps").
//
//   WsolModel m{.model = t.model.get(), .layer = "relu6", .classes = 10};
//   LocalizeResult r = localize(m, data, pipeline, {.methods = {"cam", "gradcam"}, .sweep = true,
//                                                   .out = "runs/wsol/localize"});
//   r.methods[0].boxes.gt_known_loc;   // also metrics.json, localize.md, localize.png in out
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cam/metrics/curve_baseline.h"
#include "cam/metrics/localization.h"
#include "experiments/wsol/wsol_data.h"

namespace camlab::experiments {

struct LocalizeOptions {
  std::vector<std::string> methods = {"cam", "gradcam"};
  double threshold = 0.2;  // the box rule's t for GT-known / Top-1 Loc and mean IoU
  bool sweep = false;      // MaxBoxAcc over thresholds 0, step, ... < 1
  double sweep_step = 0.01;
  double iou_threshold = 0.5;
  int64_t count = 0;                // the first images of the dataset; 0 = all
  int64_t faithfulness_count = -1;  // images scored by Average Drop ... Insertion; < 0 = all
  int64_t curve_steps = 20;         // deletion / insertion curve points − 1
  cam::CurveBaseline baseline = cam::CurveBaseline::black;  // what deletion / insertion fill in
  double blur_sigma = 5.0;                                  // σ (pixels) of the blur baseline
  bool road = false;  // also ROAD and ARCC (cam/metrics/road.h, arcc.h): 26 imputations per case
  int64_t figure_rows = 8;    // images in localize.png
  std::filesystem::path out;  // "" writes nothing
  std::string data_name;      // recorded in metrics.json
};

struct MethodLocalization {
  std::string method;
  cam::LocalizationSummary boxes;
  int64_t faithfulness_cases = 0;
  double average_drop = 0;  // mean max(0, Y − O)/Y
  double increase = 0;      // share with O > Y
  double deletion = 0;      // mean AUC, lower is better
  double insertion = 0;     // mean AUC, higher is better
  double road = 0;          // mean ROADCombined, higher is better (options.road)
  double arcc = 0;          // mean ARCC in [0, 1], higher is better (options.road)
  double seconds = 0;
};

struct LocalizeResult {
  int64_t images = 0;
  int64_t cases = 0;  // (image, class) pairs: images × present classes
  LocalizeOptions options;
  std::vector<MethodLocalization> methods;
};

// Explains every case with each method (the true class as target), scores the maps and, when
// options.out is set, writes metrics.json, localize.md and localize.png there (two_object.png too
// for multi-label data).
LocalizeResult localize(const WsolModel& model, const datasets::ImageDataset& data,
                        const datasets::Pipeline& pipeline, const LocalizeOptions& options);

std::string localize_table(const LocalizeResult& result);  // Markdown, one row per method
nlohmann::json localize_json(const LocalizeResult& result);

}  // namespace camlab::experiments
