// camlab visualize RUN_DIR --layer NAME [--channels 0:16] [--objective channel|neuron|class|
//   deepdream|diversity] [--recipe chollet|lucid] [--steps N] [--size S] [--octaves K]
//   [--regularize jitter,scale,rotate,tv,l1,l2,blur] [--param pixel|fourier] [--optimizer sgd|adam]
//   [--image INDEX | --photo FILE] [--data FILE.h5] [--seed S] [--out DIR]
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "experiments/visualize/run_visualize.h"

namespace camlab::cli {

int visualize_main(const std::vector<std::string>& args) {
  po::options_description options("visualize");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory, checkpoint .h5 or .onnx")
      ("layer", po::value<std::string>()->default_value(""), "layer to visualize (dotted name)")
      ("channels", po::value<std::string>()->default_value("0:16"), "channels or classes: 0:16")
      ("objective", po::value<std::string>()->default_value("channel"),
       "channel, neuron, class, deepdream or diversity")
      ("recipe", po::value<std::string>()->default_value("chollet"), "chollet or lucid defaults")
      ("steps", po::value<int64_t>()->default_value(0), "ascent steps per octave (recipe's)")
      ("size", po::value<int64_t>()->default_value(0), "image side (the data's; 224 for .onnx)")
      ("octaves", po::value<int64_t>()->default_value(1), "multi-octave upscaling")
      ("regularize", po::value<std::string>()->default_value(""),
       "jitter,scale,rotate,tv,l1,l2,blur")
      ("param", po::value<std::string>()->default_value(""), "pixel or fourier (recipe's)")
      ("optimizer", po::value<std::string>()->default_value(""), "sgd or adam (recipe's)")
      ("image", po::value<int64_t>()->default_value(0), "deepdream: test image index to start from")
      ("photo", po::value<std::string>()->default_value(""),
       "deepdream: a JPEG/PNG to start from (ImageNet recipe)")
      ("data", po::value<std::string>()->default_value(""),
       "an HDF5 dataset for an imported model's test images")
      ("seed", po::value<uint64_t>()->default_value(0), "start noise and transforms")
      ("plain-relu-grad", po::bool_switch(),
       "no redirected ReLU gradient (Lucid's; wakes units silent on the start image)")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/visualize)")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("visualize"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };

  const experiments::VisualizeOutcome outcome =
      experiments::run_visualize({.run = flag("run"),
                                  .data = flag("data"),
                                  .layer = flag("layer"),
                                  .channels = flag("channels"),
                                  .objective = flag("objective"),
                                  .recipe = flag("recipe"),
                                  .steps = vm["steps"].as<int64_t>(),
                                  .size = vm["size"].as<int64_t>(),
                                  .octaves = vm["octaves"].as<int64_t>(),
                                  .regularize = flag("regularize"),
                                  .param = flag("param"),
                                  .optimizer = flag("optimizer"),
                                  .image = vm["image"].as<int64_t>(),
                                  .photo = flag("photo"),
                                  .seed = vm["seed"].as<uint64_t>(),
                                  .plain_relu_grad = vm["plain-relu-grad"].as<bool>(),
                                  .out = flag("out"),
                                  .device = flag("device")});
  for (const auto& u : outcome.result.record.units) {
    fmt::print("unit {:>3}: objective {:9.4f} -> {:9.4f}\n", u.unit, u.start_objective,
               u.final_objective);
  }
  fmt::print("wrote {}\n", outcome.figure.string());
  return 0;
}

}  // namespace camlab::cli
