// The camlab CLI entry point: routes `camlab VERB ...` to the verb and turns exceptions into one
// line on stderr and an exit status (2: usage or configuration, 1: runtime).
#include <fmt/format.h>

#include <csignal>
#include <exception>
#include <iostream>

#include "experiments/cli/command.h"
#include "experiments/config/config_error.h"

namespace {

int print_usage() {
  std::cout << "camlab — train convnets and explain them (CAM, Grad-CAM, Score-CAM, ...)\n\n"
               "usage: camlab VERB [ARGS...]      camlab VERB --help for its flags and examples\n\n"
               "verbs:\n";
  for (const auto& c : camlab::cli::commands()) {
    std::cout << fmt::format("  {:<13} {}\n", c.name, c.summary);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = camlab::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    return args.empty() ? (print_usage(), 2) : print_usage();
  }
  // A write past RLIMIT_FSIZE (a quota, `ulimit -f`) would kill the process with SIGXFSZ before any
  // message; ignored, the write fails with EFBIG and the writer reports a one-line error while
  // the previous checkpoint stays intact (checkpoints are written to .tmp and renamed).
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    const cli::Command& command = cli::find_command(args[0]);
    return command.run(std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const camlab::experiments::ConfigError& e) {
    std::cerr << "camlab: " << e.what() << "\n";
    return 2;
  } catch (const boost::program_options::error& e) {
    std::cerr << "camlab " << args[0] << ": " << e.what() << " (see camlab " << args[0]
              << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "camlab: " << e.what() << "\n";
    return 1;
  }
}
