// camlab import MODEL.onnx --out MODEL.h5
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "nn/onnx/graph_model.h"

namespace camlab::cli {

int import_main(const std::vector<std::string>& args) {
  po::options_description options("import");
  options.add_options()("model", po::value<std::string>()->required(), "the .onnx file to import")(
      "out", po::value<std::string>()->required(), "the HDF5 checkpoint to write");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("import"), options, positional, vm)) return 0;
  const std::string out = vm["out"].as<std::string>();
  const nn::ImportSummary s = nn::import_onnx_checkpoint(vm["model"].as<std::string>(), out);
  fmt::print("wrote {}: {} nodes, {} parameters, opset {} (from {})\n", out, s.nodes, s.parameters,
             s.opset, s.producer);
  return 0;
}

}  // namespace camlab::cli
