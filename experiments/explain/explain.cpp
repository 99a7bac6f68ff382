#include "experiments/explain/explain.h"

#include <fmt/format.h>

#include <cctype>
#include <functional>
#include <optional>

#include "autograd/grad_mode.h"
#include "cam/methods/dff.h"
#include "cam/methods/method.h"
#include "cam/methods/multi_target.h"
#include "cam/methods/segmentation_target.h"
#include "cam/methods/similarity_target.h"
#include "cam/render/concept_figure.h"
#include "cam/render/figure_grid.h"
#include "cam/render/photo_overlay.h"
#include "cam/render/png_io.h"
#include "experiments/explain/target_columns.h"
#include "tensor/ops.h"
#include "tensor/strings.h"

namespace camlab::experiments {
namespace {

// Each image's class probabilities [N, K] on the CPU from its logits; a segmenter's per-pixel
// logits [N, K, H, W] are averaged over the pixels first.
Tensor probabilities_of(const Tensor& logits, const ExplainRequest& request) {
  const Tensor y = logits.dim() == 4 ? ops::mean(logits, {2, 3}) : logits;  // [N, K]
  return (request.multilabel ? ops::sigmoid(y) : ops::softmax(y, 1)).to(Device::cpu());
}

// The model's output for the images, from one forward that records no graph.
Tensor logits_of(nn::Module& model, const Tensor& images) {
  autograd::NoGradGuard no_grad;
  model.eval();
  return model(images);  // [N, K] or [N, K, H, W]
}

// What each class column is scored by: the similarity to the reference image when one is given,
// the class's pixel logits under the inputs' regions (else its predicted region) for a segmenter,
// else explain.score.
cam::ScoreFn score_of(const ExplainRequest& request, const Tensor& logits,
                      const std::optional<cam::FeatureSimilarity>& similarity,
                      const Tensor& regions) {
  if (similarity) return similarity->score();
  if (logits.dim() == 4) {
    CAMLAB_CHECK(request.score == "logit",
                 "explain: --score {}: a segmenter's output [N, K, H, W] is scored by the "
                 "segmentation target (its class's pixel logits); use --score logit",
                 request.score);
    return cam::segmentation_score(regions.defined() ? regions.to(request.device) : regions);
  }
  return cam::score_named(request.score);
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

// Single-image results stacked in order, [1, ...] each -> [N, ...]; the columns, their keys and
// the layer are the same in every part.
ExplainResult stack_rows(const std::vector<ExplainResult>& parts) {
  ExplainResult out = parts.front();
  auto stack = [&](const std::function<const Tensor&(const ExplainResult&)>& field) {
    if (!field(parts.front()).defined()) return Tensor();
    std::vector<Tensor> rows;
    for (const ExplainResult& part : parts) rows.push_back(field(part));
    return ops::cat(rows, 0);  // [N, ...]
  };
  out.file.inputs = stack([](const ExplainResult& r) -> const Tensor& { return r.file.inputs; });
  out.file.indices = stack([](const ExplainResult& r) -> const Tensor& { return r.file.indices; });
  out.file.logits = stack([](const ExplainResult& r) -> const Tensor& { return r.file.logits; });
  out.file.targets = stack([](const ExplainResult& r) -> const Tensor& { return r.file.targets; });
  out.probabilities =
      stack([](const ExplainResult& r) -> const Tensor& { return r.probabilities; });
  using KeyedTensors = std::map<std::string, Tensor> ExplanationsFile::*;
  for (KeyedTensors group :
       {&ExplanationsFile::maps, &ExplanationsFile::raw, &ExplanationsFile::classes}) {
    for (auto& [key, tensor] : out.file.*group) {
      tensor =
          stack([&](const ExplainResult& r) -> const Tensor& { return (r.file.*group).at(key); });
    }
  }
  // DFF factors each image alone on this path: its concepts differ from image to image, so no
  // shared concept figure is drawn.
  out.concept_maps = Tensor();
  out.concept_scores = Tensor();
  out.top.clear();
  for (const ExplainResult& part : parts)
    out.top.insert(out.top.end(), part.top.begin(), part.top.end());
  return out;
}

// DFF's concept figure, dff_concepts.png, when the concepts were factored from these very rows
// (a sharded run factors each rank's block apart, so rank 0 holds only its own).
void write_concepts(const ExplainInputs& inputs, ExplainResult& result,
                    const ExplainRequest& request) {
  if (!result.concept_maps.defined() || result.concept_maps.size(0) != inputs.images.size(0))
    return;
  const std::filesystem::path path = request.out / "dff_concepts.png";
  render::write_concept_figure(path, inputs.shown, result.concept_maps, result.concept_scores,
                               request.class_names, request.colormap);
  result.written.push_back(path);
  fmt::print("wrote {} ({} DFF concepts)\n", path.string(), result.concept_maps.size(1));
}

// Image i's rows of `inputs` alone.
ExplainInputs one_image(const ExplainInputs& inputs, int64_t i) {
  auto row = [i](const Tensor& t) { return t.defined() ? t.narrow(0, i, 1).contiguous() : t; };
  ExplainInputs one;
  one.images = row(inputs.images);    // [1, C, H, W]
  one.labels = row(inputs.labels);    // [1]
  one.indices = row(inputs.indices);  // [1]
  one.regions = row(inputs.regions);  // [1, H, W]
  return one;
}

}  // namespace

ExplainResult compute_explanations(nn::Module& model, const ExplainInputs& inputs,
                                   const ExplainRequest& request) {
  CAMLAB_CHECK(!request.methods.empty() && !request.targets.empty(),
               "explain: give at least one method and one target");
  // A region per image lines up with the scored rows only if a method scores the images in
  // order; the perturbation methods (the Score-CAM family, Ablation-CAM, occlusion, IG, SmoothGrad)
  // score chunks of mixed copies. So each image is explained alone, its region covering every
  // copy of it, and the results are stacked.
  if (inputs.regions.defined() && inputs.images.size(0) > 1) {
    std::vector<ExplainResult> parts;
    for (int64_t i = 0; i < inputs.images.size(0); ++i) {
      parts.push_back(compute_explanations(model, one_image(inputs, i), request));
    }
    return stack_rows(parts);
  }
  const Tensor images = inputs.images.to(request.device);  // [N, C, H, W]
  const auto n = images.size(0);
  ExplainResult result;
  result.file.inputs = images;
  result.file.indices = inputs.indices;
  const Tensor logits = logits_of(model, images);            // [N, K] or [N, K, H, W]
  result.probabilities = probabilities_of(logits, request);  // [N, K]
  for (int64_t i = 0; i < n; ++i) {
    result.top.push_back(top_classes(result.probabilities.select(0, i), request.top_k));
  }

  const TargetColumns columns =
      target_columns(request.targets, logits, inputs.labels, request.class_names);
  std::optional<cam::FeatureSimilarity> similarity;
  if (request.reference.defined()) {
    similarity.emplace(model, request.similarity_layer, request.reference.to(request.device));
  }
  const cam::ScoreFn score = score_of(request, logits, similarity, inputs.regions);
  for (const std::string& name : request.methods) {
    cam::MethodSettings settings = request.method_settings;
    if (!request.layer.empty())
      settings.common.layers = split_commas(request.layer);  // "relu2,relu4" for refinecam
    settings.common.image_shape = {images.size(1), images.size(2), images.size(3)};
    settings.set_seed(request.seed);
    auto method = cam::make_method(name, model, settings);
    const std::vector<cam::Explanation> per_column =
        cam::explain_classes(*method, images, columns.classes, score);
    for (size_t t = 0; t < per_column.size(); ++t) {
      const cam::Explanation& e = per_column[t];
      const std::string& title = columns.titles[t];
      const std::string key = per_column.size() == 1 ? name : name + ":" + columns.keys[t];
      result.file.maps[key] = e.maps;
      result.file.raw[key] = e.raw;
      result.file.classes[key] = e.targets;
      result.file.logits = e.logits;
      result.file.targets = e.targets;
      if (!e.layer.empty()) result.file.layer = e.layer;
      result.columns.push_back(title.empty() ? name : name + ": " + title);
      result.column_parts.push_back(
          {key, e.layer, file_safe(name) + (title.empty() ? "" : "_" + file_safe(title))});
    }
    if (const auto* dff = dynamic_cast<const cam::Dff*>(method.get())) {
      // The batch was explained once for all columns; its first n rows are the images.
      result.concept_maps = dff->factorization().maps.narrow(0, 0, n).contiguous();  // [n, k, h, w]
      result.concept_scores = dff->factorization().scores;                           // [k, K]
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
  write_concepts(inputs, result, request);
}

ExplainResult explain(nn::Module& model, const ExplainInputs& inputs,
                      const ExplainRequest& request) {
  ExplainResult result = compute_explanations(model, inputs, request);
  write_explain_outputs(inputs, result, request);
  return result;
}

}  // namespace camlab::experiments
