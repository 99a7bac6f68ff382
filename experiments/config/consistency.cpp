#include "experiments/config/consistency.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "experiments/config/config_error.h"
#include "experiments/config/key_path.h"
#include "tensor/suggest.h"

namespace camlab::experiments {
namespace {

class Checker {
 public:
  explicit Checker(const ResolvedParts& c) : c_(c) {}

  [[noreturn]] void fail_at(const std::string& path, std::string_view message) const {
    const auto found = c_.where.find(path);
    config_fail(found == c_.where.end() ? c_.file : found->second, message);
  }

  // At `path`'s location, else at the nearest enclosing path that has one ("a.b[2]" -> "a.b" ->
  // "a"): a layer's `inputs` element, else its `inputs`, else the layer.
  [[noreturn]] void fail_near(const std::string& path, std::string_view message) const {
    for (std::string at = path; !at.empty(); at = enclosing(at)) {
      const auto found = c_.where.find(at);
      if (found != c_.where.end()) config_fail(found->second, message);
    }
    config_fail(c_.file, message);
  }

  void check_layers_present() const {
    const std::string graph = c_.root["model"]["graph"].value_or(std::string());
    if (!graph.empty() && !c_.layers.empty()) {
      fail_at("model.graph",
              "[model] has both 'graph' and 'layers': fine-tune the imported graph or build "
              "the layers, not both (remove one)");
    }
    if (graph.empty() && (c_.root["model"]["head_classes"].value_or(int64_t{0}) > 0 ||
                          !c_.root["model"]["freeze"].as_array()->empty())) {
      fail_at("model.head_classes",
              "'model.head_classes' and 'model.freeze' apply to an imported graph: set "
              "model.graph = \"model.onnx\"");
    }
    if (c_.layers.empty() && graph.empty()) {
      fail_at("model.layers",
              "[model] needs 'layers', e.g. layers = [{type = \"conv\", out = 32, kernel = 3, "
              "pad = 1}, {type = \"relu\"}, {type = \"gap\"}, {type = \"linear\", out = 10}]");
    }
  }

  void check_optimizer() const {
    const auto opt = c_.root["train"]["optimizer"];
    if (opt["nesterov"].value_or(false) && opt["momentum"].value_or(0.0) <= 0.0) {
      fail_at("train.optimizer.nesterov",
              "'train.optimizer.nesterov' needs 'train.optimizer.momentum' > 0 — set momentum "
              "(e.g. 0.9) or nesterov = false");
    }
    if (opt["betas"].as_array()->size() != 2) {
      fail_at("train.optimizer.betas",
              fmt::format("'train.optimizer.betas' must hold two numbers (β1, β2), got {}",
                          opt["betas"].as_array()->size()));
    }
  }

  void check_schedule() const {
    const auto schedule = c_.root["train"]["schedule"];
    const std::string type = schedule["type"].value_or(std::string());
    const toml::array& milestones = *schedule["milestones"].as_array();
    if (type == "multistep" && milestones.empty()) {
      fail_at("train.schedule.type",
              "schedule type \"multistep\" needs 'train.schedule.milestones', e.g. [5, 8]");
    }
    int64_t previous = 0;
    for (const toml::node& m : milestones) {
      const int64_t epoch = m.value_or(int64_t{0});
      if (epoch <= previous) {
        fail_at("train.schedule.milestones",
                fmt::format("'train.schedule.milestones' must increase, got {} after {}", epoch,
                            previous));
      }
      previous = epoch;
    }
    const int64_t epochs = c_.root["train"]["epochs"].value_or(int64_t{1});
    const int64_t warmup = schedule["warmup_epochs"].value_or(int64_t{0});
    if (warmup >= epochs && warmup > 0) {
      fail_at("train.schedule.warmup_epochs",
              fmt::format("'train.schedule.warmup_epochs' ({}) must be less than 'train.epochs' "
                          "({})",
                          warmup, epochs));
    }
  }

  void check_data() const {
    const auto data = c_.root["data"];
    const std::string dataset = data["dataset"].value_or(std::string());
    const bool needs_path = dataset == "hdf5" || dataset == "image-folder" || dataset == "cifar10";
    if (needs_path && data["path"].value_or(std::string()).empty()) {
      fail_at("data.dataset",
              fmt::format("dataset \"{}\" needs 'data.path' (the files to read)", dataset));
    }
    if (const toml::table* normalize = data["normalize"].as_table()) {
      const size_t means = (*normalize)["mean"].as_array()->size();
      const size_t stds = (*normalize)["std"].as_array()->size();
      if (means != stds) {
        fail_at("data.normalize", fmt::format("'data.normalize' needs as many std values ({}) as "
                                              "mean values ({})",
                                              stds, means));
      }
    }
    const bool multilabel = data["multilabel"].value_or(false);
    const std::string loss = c_.root["train"]["loss"]["type"].value_or(std::string());
    if (multilabel && loss != "bce") {
      fail_at("data.multilabel",
              "'data.multilabel' = true needs train.loss = {type = \"bce\"} (one sigmoid per "
              "class)");
    }
  }

  void check_names(const std::vector<LayerSpec>& layers) const {
    std::set<std::string> seen;
    for (const LayerSpec& layer : layers) {
      if (layer.name.empty()) continue;
      if (!seen.insert(layer.name).second) {
        fail_at(layer.path, fmt::format("layer name '{}' is used twice in '{}' — names must be "
                                        "unique (CAM layers and checkpoints are found by name)",
                                        layer.name, parent_of(layer.path)));
      }
    }
  }

  // The graph form: each name in a layer's `inputs` is "input" or an earlier layer of the same
  // list (by the builder's names); merges read two or more, other layers at most one.
  void check_inputs(const std::vector<LayerSpec>& layers) const {
    const std::vector<std::string> names = layer_names(layers);
    const bool graph = std::any_of(layers.begin(), layers.end(),
                                   [](const LayerSpec& layer) { return !layer.inputs.empty(); });
    std::vector<std::string> earlier = {"input"};
    size_t next = 0;
    for (const LayerSpec& layer : layers) {
      if (graph && layer.name == "input") {
        fail_near(child_path(layer.path, "name"),
                  fmt::format("'{}' is named \"input\", which 'inputs' reserves for the model's "
                              "input — rename the layer",
                              layer.path));
      }
      check_input_count(layer);
      for (size_t i = 0; i < layer.inputs.size(); ++i) {
        check_input_name(layer, i, earlier, names);
      }
      for (int64_t r = 0; r < layer.repeat; ++r) earlier.push_back(names[next++]);
    }
  }

  void check_input_count(const LayerSpec& layer) const {
    const std::string inputs_path = child_path(layer.path, "inputs");
    const size_t count = layer.inputs.size();
    if (is_merge(layer.type) && count < 2) {
      fail_near(count == 0 ? layer.path : inputs_path,
                fmt::format("'{}' ({}) merges {} input{} — add, concat and mul need at least 2 in "
                            "'inputs', e.g. inputs = [\"branch1\", \"branch3\"]",
                            layer.path, layer.type, count, count == 1 ? "" : "s"));
    }
    if (!is_merge(layer.type) && count > 1) {
      fail_near(inputs_path,
                fmt::format("'{}' ({}) reads {} inputs ({}) — only add, concat and "
                            "mul take several; merge them in a layer before it",
                            layer.path, layer.type, count, join_quoted(layer.inputs, "'")));
    }
    if (count > 0 && layer.repeat > 1) {
      fail_near(inputs_path, fmt::format("'{}' sets both 'repeat' ({}) and 'inputs' — a repeated "
                                         "layer's copies read each other; write the copies out, "
                                         "or drop 'inputs'",
                                         layer.path, layer.repeat));
    }
  }

  void check_input_name(const LayerSpec& layer, size_t i, const std::vector<std::string>& earlier,
                        const std::vector<std::string>& names) const {
    const std::string& input = layer.inputs[i];
    if (std::find(earlier.begin(), earlier.end(), input) != earlier.end()) return;
    const std::string path = item_path(child_path(layer.path, "inputs"), i);
    if (std::find(names.begin(), names.end(), input) != names.end()) {
      fail_near(path, fmt::format("'{}' reads '{}', which comes after it — a layer reads "
                                  "\"input\" (the model's input) or a layer above it",
                                  layer.path, input));
    }
    const std::string guess = nearest(input, earlier);
    fail_near(path,
              fmt::format("'{}' reads '{}', which names no earlier layer — {}", layer.path, input,
                          guess.empty() ? "it may read " + join_quoted(earlier, "'")
                                        : fmt::format("did you mean '{}'?", guess)));
  }

  void check_block_refs(const std::vector<LayerSpec>& layers,
                        std::vector<std::string>& stack) const {
    for (const LayerSpec& layer : layers) {
      if (layer.type != "block") continue;
      const auto block = c_.blocks.find(layer.block);
      if (block == c_.blocks.end()) {
        std::vector<std::string> names;
        for (const auto& [name, unused] : c_.blocks) names.push_back(name);
        const std::string guess = nearest(layer.block, names);
        fail_at(layer.path,
                fmt::format("'{}' refers to block '{}', which [model.blocks] does not define — {}",
                            layer.path, layer.block,
                            guess.empty() ? "defined blocks: " + join_quoted(names, "'")
                                          : fmt::format("did you mean '{}'?", guess)));
      }
      for (const std::string& open : stack) {
        if (open == layer.block) {
          fail_at(layer.path, fmt::format("block '{}' contains itself (via {})", layer.block,
                                          join_quoted(stack, "'")));
        }
      }
      stack.push_back(layer.block);
      check_block_refs(block->second, stack);
      stack.pop_back();
    }
  }

  // A target layer is "<top-level name>[.<inner path>]", by the names the model builder gives
  // (layer_names: given names, or "relu4"-style ones); the builder resolves the rest.
  void check_layer_ref(const std::string& key) const {
    const std::string ref = c_.root.at_path(key).value_or(std::string());
    if (ref.empty()) return;
    const std::string head = ref.substr(0, ref.find('.'));
    const std::vector<std::string> names = layer_names(c_.layers);
    if (std::find(names.begin(), names.end(), head) != names.end()) return;
    const std::string guess = nearest(head, names);
    std::string hint = "layers: " + join_quoted(names, "'");
    if (!guess.empty()) {
      hint = fmt::format("did you mean '{}'? L{}", guess, hint.substr(1));
    }
    fail_at(key,
            fmt::format("'{}' = \"{}\" names no layer of [model] layers — {}", key, ref, hint));
  }

  void run() const {
    check_layers_present();
    check_optimizer();
    check_schedule();
    check_data();
    check_names(c_.layers);
    for (const auto& [name, layers] : c_.blocks) check_names(layers);
    check_inputs(c_.layers);
    for (const auto& [name, layers] : c_.blocks) check_inputs(layers);
    std::vector<std::string> stack;
    check_block_refs(c_.layers, stack);
    check_layer_ref("model.cam_layer");
    check_layer_ref("explain.layer");
    check_layer_ref("explain.dff.classifier");
  }

 private:
  static std::string enclosing(const std::string& path) {
    const size_t cut = path.find_last_of(".[");
    return cut == std::string::npos ? "" : path.substr(0, cut);
  }

  static std::string parent_of(const std::string& layer_path) {
    return layer_path.substr(0, layer_path.rfind('['));
  }

  const ResolvedParts& c_;
};

}  // namespace

void check_consistency(const ResolvedParts& config) { Checker(config).run(); }

}  // namespace camlab::experiments
