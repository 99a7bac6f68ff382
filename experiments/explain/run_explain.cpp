#include "experiments/explain/run_explain.h"

#include <charconv>

#include "cam/methods/target.h"
#include "experiments/config/comma_list.h"
#include "experiments/explain/config_method_settings.h"
#include "experiments/explain/sharded_explain.h"
#include "nn/graph/graph.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace {

std::vector<double> parse_numbers(const std::string& text, const char* flag) {
  std::vector<double> values;
  for (const std::string& part : comma_list(text)) {
    double v = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    CAMLAB_CHECK(ec == std::errc() && end == part.data() + part.size(),
                 "{} '{}': expected comma-separated numbers, e.g. 0.485,0.456,0.406", flag, text);
    values.push_back(v);
  }
  return values;
}

datasets::PhotoPreprocess photo_recipe(const ExplainFlags& flags, const Config& cfg,
                                       int64_t channels) {
  datasets::PhotoPreprocess recipe;
  recipe.resize = flags.resize >= 0 ? flags.resize : cfg.get_int("explain.photo.resize");
  recipe.crop = flags.crop >= 0 ? flags.crop : cfg.get_int("explain.photo.crop");
  recipe.channels = channels;
  recipe.mean = flags.mean.empty() ? cfg.get_doubles("explain.photo.mean")
                                   : parse_numbers(flags.mean, "--mean");
  recipe.std =
      flags.std.empty() ? cfg.get_doubles("explain.photo.std") : parse_numbers(flags.std, "--std");
  return recipe;
}

std::string config_target(const Config& cfg) {
  return cfg.holds_int("explain.target") ? std::to_string(cfg.get_int("explain.target"))
                                         : cfg.get_string("explain.target");
}

// The channels a photo is read with: the test set's, else an imported graph's declared input
// [N, C, H, W], else RGB.
int64_t input_channels(const LoadedModel& loaded) {
  if (loaded.data != nullptr) return loaded.data->input_shape()[0];
  const auto* graph = dynamic_cast<const nn::Graph*>(&loaded.model);
  return graph != nullptr ? graph->input_channels(3) : 3;
}

// What the maps explain beyond the class list: the score kind, and the reference photo of the
// cosine target (through the photo recipe, so it matches photos the same recipe made).
void set_target_options(ExplainRequest& r, const LoadedModel& loaded, const ExplainFlags& flags) {
  const Config& cfg = loaded.config;
  r.score = flags.score.empty() ? cfg.get_string("explain.score") : flags.score;
  cam::score_named(r.score);  // an unknown --score fails here, naming the valid ones
  const std::string reference = flags.reference_image.empty()
                                    ? cfg.get_string("explain.reference_image")
                                    : flags.reference_image.string();
  r.similarity_layer = flags.similarity_layer.empty() ? cfg.get_string("explain.similarity_layer")
                                                      : flags.similarity_layer;
  if (reference.empty()) return;
  r.reference = photo_inputs({reference}, photo_recipe(flags, cfg, input_channels(loaded)))
                    .images.narrow(0, 0, 1);  // [1, C, H, W]
}

ExplainRequest make_request(const LoadedModel& loaded, const ExplainFlags& flags) {
  const Config& cfg = loaded.config;
  auto either = [&](const std::string& flag, const char* key) {
    return flag.empty() ? cfg.get_string(key) : flag;
  };
  ExplainRequest r;
  r.methods =
      flags.methods.empty() ? cfg.get_strings("explain.methods") : comma_list(flags.methods);
  r.layer = !flags.layer.empty()                       ? flags.layer
            : !cfg.get_string("explain.layer").empty() ? cfg.get_string("explain.layer")
                                                       : cfg.get_string("model.cam_layer");
  r.targets = comma_list(flags.target.empty() ? config_target(cfg) : flags.target);
  const std::string labels = either(flags.labels, "explain.labels");
  if (!labels.empty()) {
    r.class_names = read_class_names(labels);
  } else if (loaded.data != nullptr) {
    r.class_names = loaded.data->test.class_names;
  }
  r.multilabel = loaded.multilabel;
  r.colormap = render::parse_colormap(either(flags.colormap, "explain.colormap"));
  r.seed = static_cast<uint64_t>(cfg.get_int("experiment.seed"));
  r.method_settings = config_method_settings(cfg);
  r.top_k = flags.top > 0 ? flags.top : cfg.get_int("explain.top");
  r.device = loaded.device;
  r.out = flags.out.empty() ? loaded.run_dir / "explain" : flags.out;
  r.h5 = flags.h5;
  set_target_options(r, loaded, flags);
  return r;
}

}  // namespace

ExplainResult run_explain(const LoadedModel& loaded, const ExplainFlags& flags) {
  const Config& cfg = loaded.config;
  ExplainRequest request = make_request(loaded, flags);
  if (!flags.images.empty()) {
    return explain_on_ranks(
        loaded.model, photo_inputs(flags.images, photo_recipe(flags, cfg, input_channels(loaded))),
        request, cfg.get_string("distributed.backend"));
  }
  CAMLAB_CHECK(loaded.data != nullptr && loaded.test_loader != nullptr,
               "explain: this model has no test set; pass --image/--images or --data FILE.h5");
  std::string select = flags.select.empty() ? cfg.get_string("explain.select") : flags.select;
  if (select == "incorrect") select = "misclassified";
  const DatasetChoice choice{.select = select,
                             .indices = flags.indices,
                             .count = flags.count > 0 ? flags.count : cfg.get_int("explain.count"),
                             .seed = static_cast<uint64_t>(cfg.get_int("experiment.seed"))};
  return explain_on_ranks(
      loaded.model,
      dataset_inputs(loaded.model, *loaded.test_loader, loaded.data->test,
                     loaded.data->eval_pipeline, loaded.device, loaded.multilabel, choice),
      request, cfg.get_string("distributed.backend"));
}

}  // namespace camlab::experiments
