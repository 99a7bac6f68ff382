// camlab segment RUN_DIR --data FILE.h5 [--methods cam,...] [--threshold t] [--train-segmenter]
//                [--out DIR]
#include <fmt/format.h>

#include "datasets/catalog.h"
#include "experiments/cli/command.h"
#include "experiments/cli/trained_model.h"
#include "experiments/config/comma_list.h"
#include "experiments/wsol/segment.h"

namespace camlab::cli {
namespace {

// The images the segmenter learns from: --train-data, else the run's own training split (from
// its config.toml, since --data replaced the test set in the loaded config).
datasets::ImageDataset segmenter_training_set(const TrainedModel& t, const std::string& file,
                                              const std::vector<std::string>& overrides) {
  if (!file.empty())
    return datasets::load_dataset({.name = "hdf5", .split = "train", .path = file});
  const std::filesystem::path config = t.run_dir / "config.toml";
  CAMLAB_CHECK(std::filesystem::exists(config),
               "segment: {} is missing, so the run's training split is unknown; pass --train-data "
               "FILE.h5",
               config.string());
  const experiments::Config original = experiments::load_config(config.string(), overrides);
  return datasets::load_dataset(experiments::dataset_request(original, "train"));
}

}  // namespace

int segment_main(const std::vector<std::string>& args) {
  po::options_description options("segment");
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("data", po::value<std::string>()->default_value(""),
       "HDF5 dataset with /masks (default: the run's test set)")
      ("methods", po::value<std::string>()->default_value(""),
       "comma-separated methods (default segment.methods)")
      ("threshold", po::value<double>(),
       "foreground seeds where map >= t * max (default segment.thresholds[0])")
      ("background", po::value<double>(),
       "background seeds where every map < b * max (default segment.background_threshold)")
      ("count", po::value<int64_t>()->default_value(-1),
       "first N images (default segment.count; 0 = all)")
      ("train-segmenter", po::bool_switch(), "train an SEC-style segmenter from the seeds")
      ("segmenter-method", po::value<std::string>()->default_value(""),
       "whose seeds train it (default: the first method)")
      ("train-data", po::value<std::string>()->default_value(""),
       "images it learns from (default: the run's training split)")
      ("train-count", po::value<int64_t>()->default_value(2000), "training images used")
      ("epochs", po::value<int64_t>()->default_value(4), "segmenter epochs")
      ("lr", po::value<double>()->default_value(1e-3), "segmenter Adam learning rate")
      ("no-expand", po::bool_switch(), "seed loss only (ablation of the expand loss)")
      ("figure-rows", po::value<int64_t>()->default_value(8), "images in segment.png")
      ("batch-size", po::value<int64_t>()->default_value(64), "images per explanation call")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/segment)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a config key")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("segment"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  TrainedModel t = load_trained_model(flag("run"), overrides, flag("data"), flag("device"));
  const experiments::Config& cfg = t.config;
  const std::string source =
      flag("data").empty() ? "test set of " + t.run_dir.string() : "file " + flag("data");

  experiments::SegmentOptions o;
  o.methods = flag("methods").empty() ? cfg.get_strings("segment.methods")
                                      : experiments::comma_list(flag("methods"));
  o.seeds.foreground = vm.count("threshold") ? vm["threshold"].as<double>()
                                             : cfg.get_doubles("segment.thresholds").at(0);
  o.seeds.background = vm.count("background") ? vm["background"].as<double>()
                                              : cfg.get_double("segment.background_threshold");
  o.count =
      vm["count"].as<int64_t>() >= 0 ? vm["count"].as<int64_t>() : cfg.get_int("segment.count");
  o.train_segmenter = vm["train-segmenter"].as<bool>();
  o.segmenter_method = flag("segmenter-method");
  o.train_count = vm["train-count"].as<int64_t>();
  o.training = {.epochs = vm["epochs"].as<int64_t>(),
                .batch_size = 32,
                .lr = vm["lr"].as<double>(),
                .expand = !vm["no-expand"].as<bool>(),
                .seed = static_cast<uint64_t>(cfg.get_int("experiment.seed")),
                .device = t.device};
  o.figure_rows = vm["figure-rows"].as<int64_t>();
  o.out = flag("out").empty() ? t.run_dir / "segment" : std::filesystem::path(flag("out"));
  o.data_name = flag("data").empty() ? source : flag("data");

  const datasets::ImageDataset& data = t.data.test;
  const std::string layer = !cfg.get_string("explain.layer").empty()
                                ? cfg.get_string("explain.layer")
                                : cfg.get_string("model.cam_layer");
  experiments::WsolModel m{.model = t.model.get(),
                           .layer = layer,
                           .multilabel = t.objective.multilabel,
                           .device = t.device,
                           .classes = 0,
                           .seed = static_cast<uint64_t>(cfg.get_int("experiment.seed")),
                           .batch_size = vm["batch-size"].as<int64_t>()};
  m.classes = experiments::count_outputs(
      *t.model, experiments::fed_images(experiments::first_items(data, 1), t.data.eval_pipeline),
      t.device);
  experiments::check_dataset_for(data, source, "segment", m.classes);
  datasets::ImageDataset train;
  if (o.train_segmenter) train = segmenter_training_set(t, flag("train-data"), overrides);
  experiments::SegmentResult r =
      experiments::segment(m, data, o.train_segmenter ? &train : nullptr, t.data.eval_pipeline, o);
  fmt::print("\n{}\nwrote {}/metrics.json, segment.md, segment.png\n",
             experiments::segment_table(r), o.out.string());
  return 0;
}

}  // namespace camlab::cli
