#include "nn/onnx/graph_model.h"

#include "nn/graph/graph_checkpoint.h"
#include "nn/onnx/onnx_import.h"

namespace camlab::nn {

bool is_graph_model_file(const std::filesystem::path& path) {
  return path.extension() == ".onnx" || is_graph_checkpoint(path);
}

std::shared_ptr<Graph> load_graph_model(const std::filesystem::path& path) {
  CAMLAB_CHECK(std::filesystem::is_regular_file(path), "'{}' is not a file", path.string());
  std::shared_ptr<Graph> graph = path.extension() == ".onnx"
                                     ? std::make_shared<Graph>(import_onnx(path))
                                     : load_graph_checkpoint(path);
  graph->eval();
  return graph;
}

ImportSummary import_onnx_checkpoint(const std::filesystem::path& onnx,
                                     const std::filesystem::path& out) {
  Graph graph(import_onnx(onnx));
  save_graph_checkpoint(out, graph);
  ImportSummary summary{.nodes = static_cast<int64_t>(graph.def().nodes.size()),
                        .parameters = 0,
                        .opset = graph.def().opset,
                        .producer = graph.def().producer};
  for (const Tensor& p : graph.parameters()) summary.parameters += p.numel();
  return summary;
}

}  // namespace camlab::nn
