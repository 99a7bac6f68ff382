#include "experiments/explain/explain.h"

#include <fmt/format.h>

#include <cctype>

#include "autograd/grad_mode.h"
#include "cam/methods/method.h"
#include "cam/render/figure_grid.h"
#include "cam/render/photo_overlay.h"
#include "cam/render/png_io.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

struct TargetChoice {
  cam::Target target;
  std::string title;  // "" for pred/label, else the class name
};

TargetChoice parse_target(const std::string& text, const ExplainInputs& inputs,
                          const ExplainRequest& request, int64_t classes) {
  if (text == "pred" || text == "predicted") return {cam::Target::predicted(), ""};
  if (text == "label") {
    CAMLAB_CHECK(inputs.labels.defined(),
                 "--target label: photos have no labels; give pred, a class index or a name");
    return {cam::Target::labels(inputs.labels.to(request.device)), ""};
  }
  const int64_t k = class_index(text, request.class_names, classes);
  return {cam::Target::fixed(k), class_name(k, request.class_names)};
}

// Each image's class probabilities [N, K] on the CPU, from one forward that records no graph.
Tensor probabilities_of(nn::Module& model, const Tensor& images, const ExplainRequest& request) {
  autograd::NoGradGuard no_grad;
  model.eval();
  Tensor logits = model(images.to(request.device));  // [N, K]
  return (request.multilabel ? ops::sigmoid(logits) : ops::softmax(logits, 1)).to(Device::cpu());
}

std::string row_caption(const ExplainInputs& inputs, int64_t row, const ClassScore& best,
                        const ExplainRequest& request) {
  const std::string predicted = class_name(best.index, request.class_names);
  if (!inputs.labels.defined() || inputs.labels.at<int64_t>({row}) == best.index) {
    return fmt::format("{} {}\n{:.2f}", inputs.names[row], predicted, best.probability);
  }
  return fmt::format("{} true: {}\npred: {} {:.2f}", inputs.names[row],
                     class_name(inputs.labels.at<int64_t>({row}), request.class_names), predicted,
                     best.probability);
}

std::string file_safe(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

void print_top(const ExplainInputs& inputs, const ExplainResult& result,
               const ExplainRequest& request) {
  for (size_t i = 0; i < result.top.size(); ++i) {
    std::vector<std::string> parts;
    for (const ClassScore& s : result.top[i]) {
      parts.push_back(
          fmt::format("{} {:.3f}", class_name(s.index, request.class_names), s.probability));
    }
    fmt::print("{}: {}\n", inputs.names[i], fmt::join(parts, ", "));
  }
}

}  // namespace

ExplainResult compute_explanations(nn::Module& model, const ExplainInputs& inputs,
                                   const ExplainRequest& request) {
  CAMLAB_CHECK(!request.methods.empty() && !request.targets.empty(),
               "explain: give at least one method and one target");
  const Tensor images = inputs.images.to(request.device);  // [N, C, H, W]
  ExplainResult result;
  result.file.inputs = images;
  result.file.indices = inputs.indices;
  result.probabilities = probabilities_of(model, images, request);  // [N, K]
  for (int64_t i = 0; i < images.size(0); ++i) {
    result.top.push_back(top_classes(result.probabilities.select(0, i), request.top_k));
  }
  for (const std::string& target_text : request.targets) {
    const TargetChoice choice =
        parse_target(target_text, inputs, request, result.probabilities.size(1));
    for (const std::string& name : request.methods) {
      cam::MethodSettings settings = request.method_settings;
      if (!request.layer.empty()) settings.common.layers = {request.layer};
      settings.common.image_shape = {images.size(1), images.size(2), images.size(3)};
      settings.set_seed(request.seed);
      auto method = cam::make_method(name, model, settings);
      cam::Explanation e = method->explain(images, choice.target);
      const std::string key = request.targets.size() == 1 ? name : name + ":" + target_text;
      result.file.maps[key] = e.maps;
      result.file.raw[key] = e.raw;
      result.file.logits = e.logits;
      result.file.targets = e.targets;
      if (!e.layer.empty()) result.file.layer = e.layer;
      result.columns.push_back(choice.title.empty() ? name : name + ": " + choice.title);
      result.column_parts.push_back(
          {key, e.layer,
           file_safe(name) + (choice.title.empty() ? "" : "_" + file_safe(choice.title))});
    }
  }
  return result;
}

void write_explain_outputs(const ExplainInputs& inputs, ExplainResult& result,
                           const ExplainRequest& request) {
  std::filesystem::create_directories(request.out);
  const int64_t n = inputs.images.size(0);
  print_top(inputs, result, request);
  std::vector<std::vector<Tensor>> row_maps(n);  // [N][columns] of [H, W]
  for (size_t c = 0; c < result.columns.size(); ++c) {
    const ExplainColumn& column = result.column_parts[c];
    const Tensor maps = result.file.maps.at(column.key).to(Device::cpu());  // [N, H, W]
    fmt::print("{:<34} layer {:<12} maps {}\n", result.columns[c],
               column.layer.empty() ? "-" : column.layer, shape_str(maps.shape()));
    for (int64_t i = 0; i < n; ++i) {
      row_maps[i].push_back(maps.select(0, i));
      if (inputs.photos.empty()) continue;
      const std::filesystem::path full =
          request.out / fmt::format("{}_{}.png", inputs.files[i].stem().string(), column.file_tag);
      render::write_png(full, render::overlay_on_photo(inputs.photos[i], inputs.crops[i],
                                                       maps.select(0, i), request.colormap));
      result.written.push_back(full);
    }
  }

  std::vector<std::string> titles = {"input"};
  titles.insert(titles.end(), result.columns.begin(), result.columns.end());
  render::FigureGrid grid(titles);
  for (int64_t i = 0; i < n; ++i) {
    grid.add_row(row_caption(inputs, i, result.top[i].front(), request), inputs.shown[i],
                 row_maps[i], request.colormap, 0.5);
  }
  grid.write(request.out / "explain.png");
  result.written.insert(result.written.begin(), request.out / "explain.png");
  if (!request.h5.empty()) {
    write_explanations(request.h5, result.file);
    result.written.push_back(request.h5);
  }
  fmt::print("wrote {} ({} images x {} maps){}\n", (request.out / "explain.png").string(), n,
             result.columns.size(),
             inputs.photos.empty()
                 ? ""
                 : fmt::format(" and {} full-size overlays",
                               result.written.size() - 1 - (request.h5.empty() ? 0 : 1)));
}

ExplainResult explain(nn::Module& model, const ExplainInputs& inputs,
                      const ExplainRequest& request) {
  ExplainResult result = compute_explanations(model, inputs, request);
  write_explain_outputs(inputs, result, request);
  return result;
}

}  // namespace camlab::experiments
