#include "experiments/train/trained_model.h"

#include "experiments/model/experiment_model.h"
#include "experiments/train/device_choice.h"
#include "nn/checkpoint.h"
#include "nn/onnx/graph_model.h"

namespace camlab::experiments {
namespace {

std::filesystem::path find_checkpoint(const std::filesystem::path& path) {
  if (std::filesystem::is_regular_file(path)) return path;
  CAMLAB_CHECK(std::filesystem::is_directory(path),
               "'{}' is neither a run directory nor a checkpoint file", path.string());
  for (const char* name : {"checkpoint.h5", "best.h5"}) {
    if (std::filesystem::exists(path / name)) return path / name;
  }
  fail("run directory '{}' has no checkpoint.h5 or best.h5 (did its training finish an epoch?)",
       path.string());
}

// An imported graph has no config: the test data comes from --data, and the [model] table only
// satisfies the schema (the graph replaces the model it describes).
std::string graph_model_config(const std::filesystem::path& model, const std::string& data,
                               TestSet test_set) {
  CAMLAB_CHECK(!data.empty() || test_set == TestSet::Optional,
               "'{}' is an imported model with no test set of its own: pass --data "
               "FILE.h5 (an HDF5 dataset)",
               model.string());
  return "[model]\nlayers = [{type = \"flatten\"}]\n";
}

}  // namespace

TrainedModel load_trained_model(const std::filesystem::path& path,
                                const std::vector<std::string>& overrides, const std::string& data,
                                const std::string& device, TestSet test_set) {
  TrainedModel t{.config = {},
                 .model = {},
                 .data = {},
                 .test_loader = {},
                 .objective = {},
                 .device = Device::cpu(),
                 .run_dir = {},
                 .checkpoint = find_checkpoint(path)};
  t.run_dir = std::filesystem::is_directory(path) ? path : path.parent_path();
  const bool graph = nn::is_graph_model_file(t.checkpoint);
  nn::Checkpoint saved = graph ? nn::Checkpoint{} : nn::read_checkpoint(t.checkpoint);
  if (graph) saved.info.config = graph_model_config(t.checkpoint, data, test_set);
  std::vector<std::string> all = overrides;
  if (!data.empty()) {
    all.push_back("data.dataset=\"hdf5\"");
    all.push_back(fmt::format("data.path=\"{}\"", data));
  }
  t.config = parse_config(saved.info.config, t.checkpoint.string(), all);
  t.device = choose_device(device).device;
  // An imported graph explaining photos needs no test set; everything else reads one.
  const bool with_test_set = !(graph && data.empty());
  if (with_test_set) t.data = load_test_data(t.config);
  if (graph) {
    t.model = nn::load_graph_model(t.checkpoint);
  } else {
    Generator unused(0);  // the weights come from the checkpoint
    t.model = build_experiment_model(t.config, t.data.input_shape(), unused);
    CAMLAB_CHECK(!saved.model.empty(), "checkpoint '{}' holds no model weights",
                 t.checkpoint.string());
    nn::load_checkpoint(t.checkpoint, *t.model);
  }
  t.model->to(t.device);
  t.model->eval();
  t.objective = make_objective(t.config);
  if (!with_test_set) return t;
  int64_t batch = t.config.get_int("data.eval_batch_size") > 0
                      ? t.config.get_int("data.eval_batch_size")
                      : t.config.get_int("data.batch_size");
  t.test_loader = std::make_unique<datasets::DataLoader>(
      t.data.test, datasets::LoaderOptions{.batch_size = batch, .shuffle = false},
      t.data.eval_pipeline);
  return t;
}

}  // namespace camlab::experiments
