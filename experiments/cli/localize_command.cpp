// camlab localize RUN_DIR --data FILE.h5 [--methods cam,gradcam,...] [--threshold 0.2 | --sweep]
//                 [--count N] [--faithfulness N] [--out DIR]
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "experiments/cli/trained_model.h"
#include "experiments/config/comma_list.h"
#include "experiments/wsol/localize.h"

namespace camlab::cli {
int localize_main(const std::vector<std::string>& args) {
  po::options_description options("localize");
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("data", po::value<std::string>()->default_value(""),
       "HDF5 dataset with /boxes (default: the run's test set)")
      ("methods", po::value<std::string>()->default_value(""),
       "comma-separated methods (default localize.methods)")
      ("threshold", po::value<double>(),
       "box rule: keep pixels >= t * max (default localize.thresholds[0])")
      ("sweep", po::bool_switch(), "also MaxBoxAcc over thresholds 0, step, ... < 1")
      ("sweep-step", po::value<double>()->default_value(0.01), "threshold step of --sweep")
      ("count", po::value<int64_t>()->default_value(-1),
       "first N images (default localize.count; 0 = all)")
      ("faithfulness", po::value<int64_t>()->default_value(-1),
       "images scored by Average Drop / Increase / Deletion / Insertion (-1 = all, 0 = none)")
      ("steps", po::value<int64_t>()->default_value(20), "deletion / insertion steps")
      ("figure-rows", po::value<int64_t>()->default_value(8), "images in localize.png")
      ("batch-size", po::value<int64_t>()->default_value(64), "images per explanation call")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/localize)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a config key")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("localize"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };
  if (vm.count("threshold") && vm["sweep"].as<bool>()) {
    fmt::print(
        "note: --sweep reports MaxBoxAcc over all thresholds; GT-known Loc stays at "
        "--threshold {}\n",
        vm["threshold"].as<double>());
  }

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  TrainedModel t = load_trained_model(flag("run"), overrides, flag("data"), flag("device"));
  const experiments::Config& cfg = t.config;
  const std::string source =
      flag("data").empty() ? "test set of " + t.run_dir.string() : "file " + flag("data");

  experiments::LocalizeOptions o;
  o.methods = flag("methods").empty() ? cfg.get_strings("localize.methods")
                                      : experiments::comma_list(flag("methods"));
  o.threshold = vm.count("threshold") ? vm["threshold"].as<double>()
                                      : cfg.get_doubles("localize.thresholds").at(0);
  o.sweep = vm["sweep"].as<bool>();
  o.sweep_step = vm["sweep-step"].as<double>();
  o.iou_threshold = cfg.get_double("localize.iou_threshold");
  o.count =
      vm["count"].as<int64_t>() >= 0 ? vm["count"].as<int64_t>() : cfg.get_int("localize.count");
  o.faithfulness_count = vm["faithfulness"].as<int64_t>();
  o.curve_steps = vm["steps"].as<int64_t>();
  o.figure_rows = vm["figure-rows"].as<int64_t>();
  o.out = flag("out").empty() ? t.run_dir / "localize" : std::filesystem::path(flag("out"));
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
  experiments::check_dataset_for(data, source, "localize", m.classes);
  experiments::LocalizeResult r = experiments::localize(m, data, t.data.eval_pipeline, o);
  fmt::print("\n{}\nwrote {}/metrics.json, localize.md, localize.png\n",
             experiments::localize_table(r), o.out.string());
  return 0;
}

}  // namespace camlab::cli
