#include "nn/graph/graph_checkpoint.h"

#include <nlohmann/json.hpp>

#include "nn/checkpoint.h"
#include "nn/h5.h"
#include "nn/h5_probe.h"

namespace camlab::nn {
namespace {

using nlohmann::json;

constexpr const char* kGraphAttribute = "graph";
constexpr const char* kConstantsGroup = "graph_constants";

json attribute_json(const Attribute& a, const NodeDef& node, const std::string& key) {
  json j{{"kind", attribute_kind_name(a.kind)}};
  switch (a.kind) {
    case Attribute::Kind::Int:
    case Attribute::Kind::Ints: j["ints"] = a.int_values; break;
    case Attribute::Kind::Float:
    case Attribute::Kind::Floats: j["floats"] = a.float_values; break;
    case Attribute::Kind::String: j["text"] = a.text; break;
    case Attribute::Kind::Tensor:
      fail(
          "save_graph_checkpoint: node '{}' has a tensor attribute '{}', which the checkpoint "
          "format does not hold",
          node.label(), key);
  }
  return j;
}

Attribute attribute_from(const json& j) {
  const std::string kind = j.at("kind");
  if (kind == "int") return Attribute::integer(j.at("ints").at(0));
  if (kind == "ints") return Attribute::ints(j.at("ints").get<std::vector<int64_t>>());
  if (kind == "float") return Attribute::real(j.at("floats").at(0));
  if (kind == "floats") return Attribute::floats(j.at("floats").get<std::vector<double>>());
  if (kind == "string") return Attribute::string(j.at("text"));
  fail("attribute kind '{}' is not one of int, ints, float, floats, string", kind);
}

json graph_json(const Graph& graph) {
  const GraphDef& def = graph.def();
  json j{{"opset", def.opset}, {"producer", def.producer}, {"outputs", def.outputs}};
  for (const ValueInfo& input : def.inputs)
    j["inputs"].push_back({{"name", input.name}, {"shape", input.shape}});
  for (const NodeDef& node : def.nodes) {
    json attributes = json::object();
    for (const auto& [key, a] : node.attributes) attributes[key] = attribute_json(a, node, key);
    j["nodes"].push_back({{"name", node.name},
                          {"op_type", node.op_type},
                          {"inputs", node.inputs},
                          {"outputs", node.outputs},
                          {"attributes", attributes}});
  }
  j["weights"] = json::array();
  for (const NamedWeight& w : def.weights) {
    j["weights"].push_back({{"name", w.name},
                            {"shape", w.value.shape()},
                            {"trainable", w.trainable},
                            {"int64", w.value.dtype() == DType::Int64},
                            {"key", graph.state_key(w.name)}});
  }
  return j;
}

}  // namespace

void save_graph_checkpoint(const std::filesystem::path& path, const Graph& graph) {
  const std::string text = graph_json(graph).dump();
  save_checkpoint(path, graph, nullptr, nullptr, CheckpointInfo{});
  h5::QuietErrors quiet;
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  CAMLAB_CHECK(file.ok(), "{}: cannot reopen the checkpoint to add the graph", path.string());
  bool ok = h5::write_attribute(file.get(), kGraphAttribute, text);
  h5::Handle constants(h5::create_ordered_group(file.get(), kConstantsGroup), H5Gclose);
  ok = ok && constants.ok();
  for (size_t i = 0; ok && i < graph.def().weights.size(); ++i) {
    const NamedWeight& w = graph.def().weights[i];
    if (w.value.dtype() == DType::Int64)
      ok = h5::write_tensor(constants.get(), std::to_string(i), w.value, DType::Int64);
  }
  ok = constants.close() && ok;
  CAMLAB_CHECK(ok && file.close(), "{}: writing the graph failed (disk full?)", path.string());
}

bool is_graph_checkpoint(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path) || H5Fis_hdf5(path.c_str()) <= 0) return false;
  h5::probe_in_child(path.string(), path);  // h5_probe.h: libhdf5 crashes on some bad files
  h5::QuietErrors quiet;
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  return file.ok() && H5Aexists(file.get(), kGraphAttribute) > 0;
}

std::shared_ptr<Graph> load_graph_checkpoint(const std::filesystem::path& path) {
  const Checkpoint saved = read_checkpoint(path);  // validates the format, names the file
  h5::QuietErrors quiet;
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  std::optional<std::string> text = h5::read_text_attribute(file.get(), kGraphAttribute);
  CAMLAB_CHECK(text.has_value(),
               "{}: a checkpoint without a graph (a model trained from a "
               "config: pass its run directory)",
               path.string());
  GraphDef def;
  try {
    const json j = json::parse(*text);
    def.opset = j.at("opset");
    def.producer = j.at("producer");
    def.outputs = j.at("outputs").get<std::vector<std::string>>();
    for (const json& input : j.at("inputs"))
      def.inputs.push_back({input.at("name"), input.at("shape")});
    for (const json& n : j.at("nodes")) {
      NodeDef node{.name = n.at("name"),
                   .op_type = n.at("op_type"),
                   .inputs = n.at("inputs"),
                   .outputs = n.at("outputs"),
                   .attributes = {}};
      for (const auto& [key, a] : n.at("attributes").items())
        node.attributes[key] = attribute_from(a);
      def.nodes.push_back(std::move(node));
    }
    h5::Handle constants(H5Gopen2(file.get(), kConstantsGroup, H5P_DEFAULT), H5Gclose);
    const json& weights = j.at("weights");
    for (size_t i = 0; i < weights.size(); ++i) {
      const json& w = weights[i];
      Tensor value;
      if (w.at("int64").get<bool>()) {
        value = h5::read_tensor(constants.get(), std::to_string(i));
      } else {
        const Tensor* found = saved.model.find(w.at("key").get<std::string>());
        CAMLAB_CHECK(found != nullptr, "weight '{}' (key '{}') is missing from /model",
                     w.at("name").get<std::string>(), w.at("key").get<std::string>());
        value = found->clone();
      }
      CAMLAB_CHECK(value.defined() && value.shape() == w.at("shape").get<Shape>(),
                   "weight '{}' is missing or has the wrong shape",
                   w.at("name").get<std::string>());
      def.weights.push_back({w.at("name"), value, w.at("trainable")});
    }
  } catch (const json::exception& e) {
    fail("{}: the graph attribute is not valid graph JSON: {}", path.string(), e.what());
  } catch (const Error& e) {
    fail("{}: {}", path.string(), e.what());
  }
  return std::make_shared<Graph>(std::move(def));
}

}  // namespace camlab::nn
