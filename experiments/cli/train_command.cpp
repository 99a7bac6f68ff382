// camlab train CONFIG [--set k=v]... [--out DIR] [--device cpu|cuda|auto] [--resume] [--force]
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "experiments/config/config.h"
#include "experiments/train/trainer.h"

namespace camlab::cli {

int train_main(const std::vector<std::string>& args) {
  po::options_description options("train");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("config", po::value<std::string>()->required(), "experiment TOML file")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a key: --set a.b=c")
      ("out", po::value<std::string>()->default_value(""), "run directory (default runs/<name>)")
      ("device", po::value<std::string>()->default_value(""), "cpu, cuda, cuda:N or auto")
      ("resume", po::bool_switch(), "continue the run in --out from its last checkpoint")
      ("force", po::bool_switch(), "start over in an existing run directory")
      ("progress", po::value<std::string>()->default_value("auto"), "bar, lines or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("train"), options, positional, vm)) return 0;

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  experiments::Config cfg = experiments::load_config(vm["config"].as<std::string>(), overrides);
  std::string progress = vm["progress"].as<std::string>();
  CAMLAB_CHECK(progress == "auto" || progress == "bar" || progress == "lines",
               "--progress must be bar, lines or auto, not '{}'", progress);
  experiments::TrainResult result = experiments::train_experiment(
      cfg, {.out = vm["out"].as<std::string>(),
            .device = vm["device"].as<std::string>(),
            .resume = vm["resume"].as<bool>(),
            .force = vm["force"].as<bool>(),
            .progress = progress == "auto" ? -1 : (progress == "bar" ? 1 : 0),
            .command = [&] {
              std::vector<std::string> line = {"camlab", "train"};
              line.insert(line.end(), args.begin(), args.end());
              return line;
            }()});
  if (!result.main_rank) return 0;  // rank 0 alone reports a data-parallel run
  fmt::print("test_accuracy {:.4f}\ntest_loss {:.4f}\ntrain_images_per_second {:.0f}\nrun {}\n",
             result.test_accuracy, result.test_loss, result.train_images_per_second,
             result.run_dir.string());
  return 0;
}

}  // namespace camlab::cli
