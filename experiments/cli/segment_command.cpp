// camlab segment RUN_DIR --data FILE.h5 [--methods cam,...] [--threshold t] [--train-segmenter]
//                [--explain-segmenter gradcam,...] [--out DIR]
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "experiments/cli/wsol_flags.h"
#include "experiments/wsol/run_wsol.h"

namespace camlab::cli {
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
      ("explain-segmenter", po::value<std::string>()->default_value(""),
       "explain the trained segmenter with these methods (segmenter-explain/)")
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
  const experiments::TrainedModel t =
      experiments::load_trained_model(flag("run"), overrides, flag("data"), flag("device"));
  std::optional<double> background;
  if (vm.count("background")) background = vm["background"].as<double>();
  const experiments::SegmentResult r =
      experiments::run_segment(t, wsol_flags(vm),
                               {.background = background,
                                .train_segmenter = vm["train-segmenter"].as<bool>(),
                                .segmenter_method = flag("segmenter-method"),
                                .train_data = flag("train-data"),
                                .train_count = vm["train-count"].as<int64_t>(),
                                .epochs = vm["epochs"].as<int64_t>(),
                                .lr = vm["lr"].as<double>(),
                                .expand = !vm["no-expand"].as<bool>(),
                                .explain_segmenter = flag("explain-segmenter"),
                                .overrides = overrides});
  fmt::print("\n{}\nwrote {}/metrics.json, segment.md, segment.png\n",
             experiments::segment_table(r), r.options.out.string());
  return 0;
}

}  // namespace camlab::cli
