#include "experiments/wsol/run_wsol.h"

#include "datasets/catalog.h"
#include "experiments/config/comma_list.h"
#include "experiments/explain/config_method_settings.h"
#include "experiments/train/experiment_data.h"
#include "tensor/strings.h"

namespace camlab::experiments {
namespace {

std::string key(std::string_view verb, std::string_view name) {
  return fmt::format("{}.{}", verb, name);
}

std::vector<std::string> methods_or_config(const WsolFlags& flags, const Config& cfg,
                                           std::string_view verb) {
  return flags.methods.empty() ? cfg.get_strings(key(verb, "methods")) : comma_list(flags.methods);
}

double threshold_or_config(const WsolFlags& flags, const Config& cfg, std::string_view verb) {
  return flags.threshold ? *flags.threshold : cfg.get_doubles(key(verb, "thresholds")).at(0);
}

int64_t count_or_config(const WsolFlags& flags, const Config& cfg, std::string_view verb) {
  return flags.count >= 0 ? flags.count : cfg.get_int(key(verb, "count"));
}

// --baseline, else localize.baseline; a bad name is an error naming where it came from.
cam::CurveBaseline baseline_or_config(const LocalizeFlags& flags, const Config& cfg) {
  if (!flags.baseline.empty()) return cam::parse_curve_baseline(flags.baseline, "--baseline");
  return cam::parse_curve_baseline(cfg.get_string("localize.baseline"), "localize.baseline");
}

// The images the segmenter learns from: `file`, else the run's own training split (from its
// config.toml, since --data replaced the test set in the loaded config).
datasets::ImageDataset segmenter_training_set(const TrainedModel& trained, const std::string& file,
                                              const std::vector<std::string>& overrides) {
  if (!file.empty())
    return datasets::load_dataset({.name = "hdf5", .split = "train", .path = file});
  const std::filesystem::path config = trained.run_dir / "config.toml";
  CAMLAB_CHECK(std::filesystem::exists(config),
               "segment: {} is missing, so the run's training split is unknown; pass --train-data "
               "FILE.h5",
               config.string());
  const Config original = load_config(config.string(), overrides);
  return datasets::load_dataset(dataset_request(original, "train"));
}

}  // namespace

WsolSetup prepare_wsol(const TrainedModel& trained, std::string_view verb, const WsolFlags& flags) {
  const Config& cfg = trained.config;
  const datasets::ImageDataset& data = trained.data.test;
  WsolSetup setup;
  setup.source =
      flags.data.empty() ? "test set of " + trained.run_dir.string() : "file " + flags.data;
  setup.data_name = flags.data.empty() ? setup.source : flags.data;
  setup.out = flags.out.empty() ? trained.run_dir / verb : flags.out;
  // The layer explain would use, so localize, segment and explain draw the same maps.
  const std::string layer = !cfg.get_string("explain.layer").empty()
                                ? cfg.get_string("explain.layer")
                                : cfg.get_string("model.cam_layer");
  setup.model = {.model = trained.model.get(),
                 .layer = layer,
                 .multilabel = trained.objective.multilabel,
                 .device = trained.device,
                 .classes = 0,
                 .seed = static_cast<uint64_t>(cfg.get_int("experiment.seed")),
                 .batch_size = flags.batch_size,
                 .settings = config_method_settings(cfg)};
  setup.model.classes = count_outputs(
      *trained.model, fed_images(first_items(data, 1), trained.data.eval_pipeline), trained.device);
  check_dataset_for(data, setup.source, verb, setup.model.classes);
  return setup;
}

LocalizeResult run_localize(const TrainedModel& trained, const WsolFlags& flags,
                            const LocalizeFlags& localize_flags) {
  const Config& cfg = trained.config;
  const WsolSetup setup = prepare_wsol(trained, "localize", flags);
  const LocalizeOptions options{.methods = methods_or_config(flags, cfg, "localize"),
                                .threshold = threshold_or_config(flags, cfg, "localize"),
                                .sweep = localize_flags.sweep,
                                .sweep_step = localize_flags.sweep_step,
                                .iou_threshold = cfg.get_double("localize.iou_threshold"),
                                .count = count_or_config(flags, cfg, "localize"),
                                .faithfulness_count = localize_flags.faithfulness,
                                .curve_steps = localize_flags.steps,
                                .baseline = baseline_or_config(localize_flags, cfg),
                                .blur_sigma = cfg.get_double("localize.blur_sigma"),
                                .road = localize_flags.road || cfg.get_bool("localize.road"),
                                .figure_rows = flags.figure_rows,
                                .out = setup.out,
                                .data_name = setup.data_name};
  return localize(setup.model, trained.data.test, trained.data.eval_pipeline, options);
}

SegmentResult run_segment(const TrainedModel& trained, const WsolFlags& flags,
                          const SegmentFlags& segment_flags) {
  const Config& cfg = trained.config;
  const WsolSetup setup = prepare_wsol(trained, "segment", flags);
  const double background = segment_flags.background
                                ? *segment_flags.background
                                : cfg.get_double("segment.background_threshold");
  const SegmentOptions options{
      .methods = methods_or_config(flags, cfg, "segment"),
      .seeds = {.foreground = threshold_or_config(flags, cfg, "segment"), .background = background},
      .count = count_or_config(flags, cfg, "segment"),
      .train_segmenter = segment_flags.train_segmenter,
      .segmenter_method = segment_flags.segmenter_method,
      .train_count = segment_flags.train_count,
      .training = {.epochs = segment_flags.epochs,
                   .batch_size = 32,
                   .lr = segment_flags.lr,
                   .expand = segment_flags.expand,
                   .constrain = cfg.get_double("segment.constrain_weight"),
                   .seed = setup.model.seed,
                   .device = trained.device},
      .explain_segmenter = split_commas(segment_flags.explain_segmenter),
      .figure_rows = flags.figure_rows,
      .out = setup.out,
      .data_name = setup.data_name};
  datasets::ImageDataset train;
  if (options.train_segmenter)
    train = segmenter_training_set(trained, segment_flags.train_data, segment_flags.overrides);
  return segment(setup.model, trained.data.test, options.train_segmenter ? &train : nullptr,
                 trained.data.eval_pipeline, options);
}

}  // namespace camlab::experiments
