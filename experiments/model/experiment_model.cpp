#include "experiments/model/experiment_model.h"

#include "experiments/model/model_builder.h"
#include "nn/graph/graph_head.h"
#include "nn/onnx/graph_model.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace {

std::shared_ptr<nn::Module> fine_tuned_graph(const Config& cfg, Generator& gen) {
  const std::string path = cfg.get_string("model.graph");
  CAMLAB_CHECK(nn::is_graph_model_file(path),
               "model.graph: '{}' is neither an .onnx file nor a `camlab import` checkpoint", path);
  nn::GraphDef def = nn::load_graph_model(path)->def();
  const int64_t classes = cfg.get_int("model.head_classes");
  if (classes > 0) def = nn::with_new_head(std::move(def), classes, gen);
  auto graph = std::make_shared<nn::Graph>(std::move(def));
  for (const std::string& module : cfg.get_strings("model.freeze")) {
    try {
      graph->freeze(module);
    } catch (const Error& e) {
      fail("model.freeze: {}", e.what());
    }
  }
  graph->train();
  return graph;
}

}  // namespace

std::shared_ptr<nn::Module> build_experiment_model(const Config& cfg, const Shape& input_chw,
                                                   Generator& gen) {
  if (!cfg.get_string("model.graph").empty()) return fine_tuned_graph(cfg, gen);
  return build_model(cfg.layers(), cfg.blocks(), input_chw, gen);
}

}  // namespace camlab::experiments
