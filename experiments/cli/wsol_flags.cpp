#include "experiments/cli/wsol_flags.h"

namespace camlab::cli {

experiments::WsolFlags wsol_flags(const boost::program_options::variables_map& vm) {
  experiments::WsolFlags flags{.data = vm["data"].as<std::string>(),
                               .methods = vm["methods"].as<std::string>(),
                               .count = vm["count"].as<int64_t>(),
                               .batch_size = vm["batch-size"].as<int64_t>(),
                               .figure_rows = vm["figure-rows"].as<int64_t>(),
                               .out = vm["out"].as<std::string>()};
  if (vm.count("threshold")) flags.threshold = vm["threshold"].as<double>();
  return flags;
}

}  // namespace camlab::cli
