// camlab localize RUN_DIR --data FILE.h5 [--methods cam,gradcam,...] [--threshold 0.2 | --sweep]
//                 [--count N] [--faithfulness N] [--baseline black|blur|mean] [--road]
//                 [--out DIR]
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "experiments/cli/wsol_flags.h"
#include "experiments/wsol/run_wsol.h"

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
      ("baseline", po::value<std::string>()->default_value(""),
       "deletion / insertion fill: black, blur or mean (default localize.baseline)")
      ("road", po::bool_switch(), "also ROAD and ARCC (default localize.road)")
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
  const experiments::TrainedModel t =
      experiments::load_trained_model(flag("run"), overrides, flag("data"), flag("device"));
  const experiments::WsolFlags flags = wsol_flags(vm);
  const experiments::LocalizeResult r =
      experiments::run_localize(t, flags,
                                {.sweep = vm["sweep"].as<bool>(),
                                 .sweep_step = vm["sweep-step"].as<double>(),
                                 .faithfulness = vm["faithfulness"].as<int64_t>(),
                                 .steps = vm["steps"].as<int64_t>(),
                                 .baseline = flag("baseline"),
                                 .road = vm["road"].as<bool>()});
  fmt::print("\n{}\nwrote {}/metrics.json, localize.md, localize.png\n",
             experiments::localize_table(r), r.options.out.string());
  return 0;
}

}  // namespace camlab::cli
