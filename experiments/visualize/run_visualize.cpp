#include "experiments/visualize/run_visualize.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cam/render/png_io.h"
#include "datasets/image_file.h"
#include "datasets/photo_preprocess.h"
#include "experiments/config/comma_list.h"
#include "experiments/train/trained_model.h"
#include "nn/graph/graph.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace vis = cam::visualize;

void apply_regularizers(vis::FeatureVisOptions& options, const std::string& list) {
  for (const std::string& name : comma_list(list)) {
    if (name == "jitter") {
      options.robustness.jitter = 2;
    } else if (name == "scale") {
      options.robustness.scale = 0.1;
    } else if (name == "rotate") {
      options.robustness.rotate_degrees = 10;
    } else if (name == "tv") {
      options.tv = 0.05;
    } else if (name == "l1") {
      options.l1 = 0.05;
    } else if (name == "l2") {
      options.l2 = 0.05;
    } else if (name == "blur") {
      options.blur_sigma = 0.5;
    } else {
      fail("--regularize: unknown '{}'; valid: jitter, scale, rotate, tv, l1, l2, blur", name);
    }
  }
}

namespace {

constexpr int64_t kGraphImageSide = 224;  // torchvision's evaluation crop

nlohmann::json to_json(const vis::FeatureVisRecord& r) {
  nlohmann::json units = nlohmann::json::array();
  for (const auto& u : r.units) {
    units.push_back({{"image", u.image},
                     {"unit", u.unit},
                     {"start_objective", u.start_objective},
                     {"final_objective", u.final_objective},
                     {"gain", u.start_objective != 0 ? u.final_objective / u.start_objective : 0}});
  }
  return {
      {"objective", r.objective},
      {"layer", r.layer},
      {"parametrization", r.parametrization},
      {"optimizer", r.optimizer},
      {"lr", r.lr},
      {"steps", r.steps},
      {"octaves", r.octaves},
      {"image_shape", r.image_shape},
      {"value_range", r.value_range},
      {"seed", r.seed},
      {"units", units},
      {"final_penalties",
       {{"l1", r.final_penalties.l1}, {"l2", r.final_penalties.l2}, {"tv", r.final_penalties.tv}}},
      {"start_diversity", r.start_diversity},
      {"final_diversity", r.final_diversity}};
}

// The model inputs that [0, 1] pixels become under the ImageNet normalisation, over all channels:
// [min_c (0 − mean_c) / std_c, max_c (1 − mean_c) / std_c].
vis::ValueRange imagenet_input_range() {
  const datasets::PhotoPreprocess recipe;
  vis::ValueRange range{.low = 0, .high = 0};
  for (size_t c = 0; c < recipe.mean.size(); ++c) {
    range.low = std::min(range.low, (0 - recipe.mean[c]) / recipe.std[c]);
    range.high = std::max(range.high, (1 - recipe.mean[c]) / recipe.std[c]);
  }
  return range;
}

// The image a graph model is fed: [C, H, W] as the model file declares them; a symbolic side is
// `size`, else 224. An explicit `size` wins (a model with fixed sides then says what it takes).
Shape graph_image_shape(const nn::Module& model, int64_t size) {
  const auto* graph = dynamic_cast<const nn::Graph*>(&model);
  std::vector<int64_t> declared(4, -1);  // [N, C, H, W], -1 where symbolic or unknown
  if (graph != nullptr && !graph->def().inputs.empty() && graph->def().inputs[0].shape.size() == 4)
    declared = graph->def().inputs[0].shape;
  auto side = [&](int64_t d) {
    if (size > 0) return size;
    return declared[d] > 0 ? declared[d] : kGraphImageSide;
  };
  return {declared[1] > 0 ? declared[1] : 3, side(2), side(3)};
}

// DeepDream's start: a photo through the ImageNet recipe at the image side, or a test image.
Tensor deepdream_start(const VisualizeFlags& flags, const TrainedModel& t, const Shape& shape) {
  if (!flags.photo.empty()) {
    datasets::PhotoPreprocess recipe;
    CAMLAB_CHECK(shape[1] == shape[2],
                 "visualize: --photo needs a square input, the model takes {}x{}", shape[1],
                 shape[2]);
    recipe.crop = shape[1];
    recipe.resize = shape[1] * 256 / 224;  // torchvision's resize-to-crop ratio
    recipe.channels = shape[0];
    return datasets::prepare_photo(datasets::read_image(flags.photo), recipe, flags.photo).input;
  }
  CAMLAB_CHECK(t.test_loader != nullptr,
               "visualize: deepdream on '{}' needs a start image: pass --photo FILE (or --data "
               "FILE.h5 and --image INDEX)",
               flags.run);
  const int64_t index = flags.image;
  CAMLAB_CHECK(index >= 0 && index < t.data.test.size(),
               "visualize: --image {} is out of range for {} test images", index,
               t.data.test.size());
  const int64_t batch = t.test_loader->options().batch_size;
  return t.test_loader->batch(0, index / batch).images.select(0, index % batch);  // [C, H, W]
}

vis::FeatureVisOptions options_from(const VisualizeFlags& flags, const TrainedModel& t) {
  vis::FeatureVisOptions o = vis::recipe(flags.recipe);
  o.objective = vis::parse_objective(flags.objective);
  o.layer = flags.layer;
  CAMLAB_CHECK(!o.layer.empty() || o.objective == vis::Objective::Class,
               "visualize: --layer is required for the {} objective", flags.objective);
  o.units = vis::parse_units(flags.channels);
  const bool graph = t.test_loader == nullptr;
  Shape shape = graph ? graph_image_shape(*t.model, flags.size) : t.data.input_shape();
  if (!graph && flags.size > 0) shape[1] = shape[2] = flags.size;
  o.image_shape = shape;
  // An imported ImageNet model's inputs are normalised pixels: bound them exactly where the
  // recipe bounds them with a stand-in.
  if (graph && o.value_range) o.value_range = imagenet_input_range();
  if (flags.steps > 0) o.steps = flags.steps;
  o.octaves = flags.octaves;
  if (!flags.param.empty()) o.parametrization = vis::parse_parametrization(flags.param);
  if (!flags.optimizer.empty()) o.optimizer = vis::parse_optimizer(flags.optimizer);
  apply_regularizers(o, flags.regularize);
  o.seed = flags.seed;
  o.redirect_relu = !flags.plain_relu_grad;
  if (o.objective == vis::Objective::DeepDream) o.start_image = deepdream_start(flags, t, shape);
  return o;
}

}  // namespace

VisualizeOutcome run_visualize(const VisualizeFlags& flags) {
  const TrainedModel t =
      load_trained_model(flags.run, {}, flags.data, flags.device, TestSet::Optional);
  const vis::FeatureVisOptions options = options_from(flags, t);
  VisualizeOutcome outcome{.result = vis::visualize_features(*t.model, options)};
  const std::filesystem::path out = flags.out.empty() ? t.run_dir / "visualize" : flags.out;
  std::filesystem::create_directories(out);
  const std::string stem =
      fmt::format("{}_{}", flags.objective, options.layer.empty() ? "logits" : options.layer);
  outcome.figure = out / (stem + ".png");
  outcome.record = out / (stem + ".json");
  render::write_png(outcome.figure, vis::feature_grid(outcome.result));
  std::ofstream(outcome.record) << to_json(outcome.result.record).dump(2) << "\n";
  return outcome;
}

}  // namespace camlab::experiments
