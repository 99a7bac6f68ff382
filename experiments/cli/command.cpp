#include "experiments/cli/command.h"

#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "tensor/error.h"

namespace camlab::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"train", "train a model from an experiment TOML file into a run directory",
       "  camlab train experiments/configs/fmnist-gapnet.toml\n"
       "  camlab train experiments/configs/fmnist-gapnet.toml --set train.epochs=2 --out runs/quick\n"
       "  camlab train experiments/configs/fmnist-gapnet-bn.toml --device cpu --set "
       "train.optimizer.lr=0.1\n"
       "  camlab train runs/quick/config.toml --out runs/quick --resume   # after a crash\n",
       train_main},
      {"eval", "evaluate a run (or a checkpoint) on its test set: accuracy, loss, confusion matrix",
       "  camlab eval runs/quick\n"
       "  camlab eval runs/quick/best.h5\n"
       "  camlab eval runs/quick --set data.test_subset=1000 --out runs/quick/eval-1k\n",
       eval_main},
      {"explain", "write CAM / Grad-CAM / Score-CAM / attribution figures (and maps) for a run",
       "  camlab explain runs/quick --select misclassified\n"
       "  camlab explain runs/quick --methods cam,gradcam,gradcam++,scorecam --indices 0:16\n"
       "  camlab explain runs/quick --methods gradcam --layer conv3 --target label --h5 maps.h5\n"
       "  camlab explain runs/quick --select confident-wrong --methods gradcam,guided-gradcam\n",
       explain_main},
  };
  return all;
}

const Command& find_command(const std::string& name) {
  for (const Command& c : commands()) {
    if (c.name == name) return c;
  }
  std::string names;
  for (const Command& c : commands()) names += (names.empty() ? "" : ", ") + c.name;
  throw po::error(fmt::format("unknown verb '{}'; valid verbs: {}", name, names));
}

bool parse_args(const std::vector<std::string>& args, const Command& command,
                const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm) {
  po::options_description all;
  all.add_options()("help,h", "show this help");
  all.add(options);
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << fmt::format("camlab {} — {}\n\n{}\nexamples:\n{}", command.name, command.summary,
                             [&] {
                               std::ostringstream text;
                               text << all;
                               return text.str();
                             }(),
                             command.examples);
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace camlab::cli
