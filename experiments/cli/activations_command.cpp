// camlab activations RUN_DIR --index I [--layers conv1,conv2] [--data FILE.h5] [--out DIR]
#include <fmt/format.h>

#include "cam/render/png_io.h"
#include "cam/visualize/activations.h"
#include "experiments/cli/command.h"
#include "experiments/config/comma_list.h"
#include "experiments/train/trained_model.h"

namespace camlab::cli {

int activations_main(const std::vector<std::string>& args) {
  namespace vis = cam::visualize;
  po::options_description options("activations");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("index", po::value<int64_t>()->default_value(0), "test image index")
      ("layers", po::value<std::string>()->default_value(""),
       "comma-separated layers (default: every conv layer)")
      ("data", po::value<std::string>()->default_value(""), "an HDF5 dataset to read from")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/activations)");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("activations"), options, positional, vm)) return 0;

  experiments::TrainedModel t = experiments::load_trained_model(
      vm["run"].as<std::string>(), {}, vm["data"].as<std::string>(), "cpu");
  const int64_t index = vm["index"].as<int64_t>();
  CAMLAB_CHECK(index >= 0 && index < t.data.test.size(),
               "activations: --index {} is out of range for {} test images (valid 0..{})", index,
               t.data.test.size(), t.data.test.size() - 1);
  std::vector<std::string> layers = experiments::comma_list(vm["layers"].as<std::string>());
  if (layers.empty()) {
    for (auto& [name, module] : t.model->named_modules()) {
      if (module->type_name() == "Conv2d") layers.push_back(name);
    }
  }
  const int64_t batch_size = t.test_loader->options().batch_size;
  Tensor image = t.test_loader->batch(0, index / batch_size).images.select(0, index % batch_size);
  std::filesystem::path out = vm["out"].as<std::string>().empty()
                                  ? t.run_dir / "activations"
                                  : std::filesystem::path(vm["out"].as<std::string>());
  std::filesystem::create_directories(out);
  for (const vis::LayerActivation& a : vis::capture_activations(*t.model, image, layers)) {
    vis::ActivationGrid grid = vis::activation_grid(a);
    render::write_png(out / vis::activation_file_name(a.name), grid.image);
    fmt::print("{}: {} channels ({} dead) -> {}\n", grid.title, grid.labels.size(),
               grid.dead_channels.size(), (out / vis::activation_file_name(a.name)).string());
  }
  return 0;
}

}  // namespace camlab::cli
