// camlab sanity RUN_DIR [--methods gradcam,scorecam,...] [--images N] [--layers fc,conv4]
//               [--schedules cascading,independent] [--against RUN_DIR] [--out DIR]
#include <fmt/format.h>

#include <optional>

#include "experiments/cli/command.h"
#include "experiments/sanity/run_sanity.h"

namespace camlab::cli {

int sanity_main(const std::vector<std::string>& args) {
  po::options_description options("sanity");
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("methods", po::value<std::string>()->default_value(""),
       "comma-separated methods (default explain.methods)")
      ("images", po::value<int64_t>()->default_value(16), "the first N test images")
      ("layers", po::value<std::string>()->default_value(""),
       "comma-separated layers to randomize (default: every parametrised layer)")
      ("schedules", po::value<std::string>()->default_value("cascading,independent"),
       "cascading (top layer down, cumulative), independent (one layer at a time), or both")
      ("cam-layer", po::value<std::string>()->default_value(""),
       "the methods' target layer (default explain.layer, else model.cam_layer)")
      ("against", po::value<std::string>()->default_value(""),
       "a run of the same net trained with data.permute_labels = true: the data randomization "
       "test")
      ("figure-image", po::value<int64_t>()->default_value(0), "which image the figures show")
      ("batch-size", po::value<int64_t>()->default_value(64), "images per explanation call")
      ("data", po::value<std::string>()->default_value(""),
       "HDF5 dataset to take the images from (default: the run's test set)")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/sanity)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a config key")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("sanity"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  const experiments::TrainedModel trained =
      experiments::load_trained_model(flag("run"), overrides, flag("data"), flag("device"));
  std::optional<experiments::TrainedModel> against;
  if (!flag("against").empty()) {
    against = experiments::load_trained_model(flag("against"), {}, flag("data"), flag("device"));
  }
  const experiments::SanityResult r =
      experiments::run_sanity(trained,
                              {.methods = flag("methods"),
                               .layers = flag("layers"),
                               .cam_layer = flag("cam-layer"),
                               .schedules = flag("schedules"),
                               .images = vm["images"].as<int64_t>(),
                               .batch_size = vm["batch-size"].as<int64_t>(),
                               .figure_image = vm["figure-image"].as<int64_t>(),
                               .out = flag("out")},
                              against ? &*against : nullptr);
  fmt::print("\n{}\nwrote", experiments::sanity_table(r));
  for (const auto& path : r.written) fmt::print(" {}", path.string());
  fmt::print("\n");
  return 0;
}

}  // namespace camlab::cli
