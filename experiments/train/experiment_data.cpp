#include "experiments/train/experiment_data.h"

#include "datasets/catalog.h"
#include "datasets/seeding.h"
#include "datasets/transform.h"

namespace camlab::experiments {
namespace {

// Config names (the schema's data.dataset choices) -> datasets/catalog.h names.
std::string catalog_name(const std::string& dataset) {
  if (dataset == "synthetic-shapes") return "shapes";
  if (dataset == "image-folder") return "folder";
  if (dataset == "composite") return "hdf5";  // composites are written by `camlab make-dataset`
  if (dataset == "mnist") return "fashion-mnist";  // same IDX layout; data.path names the folder
  return dataset;
}

datasets::ImageDataset take_subset(datasets::ImageDataset set, int64_t count) {
  if (count <= 0 || count >= set.size()) return set;
  std::vector<int64_t> first(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) first[i] = i;
  return set.subset(first);
}

// Stream tag of data.permute_labels ("LABELPRM").
constexpr uint64_t kLabelPermutationStream = 0x4c41'4245'4c50'524dull;

// The training labels shuffled among the items (Adebayo et al. 2018, sec. 4, data randomization):
// the images keep their order, label rows are permuted by a generator seeded from the experiment
// seed, so a network trained on them can only memorise.
datasets::ImageDataset with_permuted_labels(datasets::ImageDataset set, uint64_t seed) {
  Generator gen(datasets::derive_seed(seed, kLabelPermutationStream));
  set.labels = datasets::gather_rows(set.labels, gen.permutation(set.size()));
  return set;
}

datasets::Pipeline make_pipeline(const Config& cfg) {
  std::vector<std::string> specs = cfg.get_strings("data.augment");
  NormalizeSpec normalize = cfg.normalize();
  datasets::Pipeline pipeline = datasets::Pipeline::parse(specs);
  if (normalize.enabled) {
    pipeline.add(datasets::normalize(normalize.mean, normalize.std));  // empty: fitted on train
  }
  return pipeline;
}

}  // namespace

datasets::DatasetRequest dataset_request(const Config& cfg, const std::string& split) {
  datasets::DatasetRequest request;
  std::string dataset = cfg.get_string("data.dataset");
  request.name = catalog_name(dataset);
  request.split = split;
  request.path = cfg.get_string("data.path");
  CAMLAB_CHECK(!(dataset == "mnist" && request.path.empty()),
               "{}: data.dataset = \"mnist\" needs data.path, the folder with the MNIST IDX files",
               cfg.where("data.dataset"));
  request.seed = static_cast<uint64_t>(cfg.get_int("experiment.seed"));
  if (cfg.get_int("data.image_size") > 0) request.size = cfg.get_int("data.image_size");
  if (cfg.get_int("data.channels") > 0) request.channels = cfg.get_int("data.channels");
  int64_t count = cfg.get_int(split == "train" ? "data.train_count" : "data.test_count");
  if (count > 0) request.n = count;
  return request;
}

Shape ExperimentData::input_shape() const { return {test.channels(), test.height(), test.width()}; }

int64_t ExperimentData::num_classes() const { return test.num_classes(); }

namespace {

// One split; an allocation the machine cannot hold is pointed at the [data] keys that size it.
datasets::ImageDataset load_split(const Config& cfg, const std::string& split) {
  try {
    return datasets::load_dataset(dataset_request(cfg, split));
  } catch (const Error& e) {
    if (!std::string_view(e.what()).starts_with("out of host memory")) throw;
    fail(
        "{}: the {} split of data.dataset '{}' does not fit: {} — lower data.image_size or "
        "data.{}_count",
        cfg.where("data.dataset"), split, cfg.get_string("data.dataset"), e.what(), split);
  }
}

}  // namespace

ExperimentData load_experiment_data(const Config& cfg) {
  ExperimentData data;
  data.train = take_subset(load_split(cfg, "train"), cfg.get_int("data.train_subset"));
  if (cfg.get_bool("data.permute_labels")) {
    data.train = with_permuted_labels(std::move(data.train),
                                      static_cast<uint64_t>(cfg.get_int("experiment.seed")));
  }
  data.test = take_subset(load_split(cfg, "test"), cfg.get_int("data.test_subset"));
  data.train_pipeline = make_pipeline(cfg);
  data.train_pipeline.fit(data.train);
  data.eval_pipeline = data.train_pipeline.eval_only();
  return data;
}

ExperimentData load_test_data(const Config& cfg) {
  NormalizeSpec normalize = cfg.normalize();
  if (normalize.enabled && normalize.mean.empty()) return load_experiment_data(cfg);
  ExperimentData data;
  data.test = take_subset(load_split(cfg, "test"), cfg.get_int("data.test_subset"));
  data.train_pipeline = make_pipeline(cfg);
  data.eval_pipeline = data.train_pipeline.eval_only();
  return data;
}

}  // namespace camlab::experiments
