#include "experiments/wsol/localize.h"

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "cam/metrics/arcc.h"
#include "cam/render/figure_grid.h"
#include "cam/render/heatmap.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/wsol/figures.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

std::string class_name(const datasets::ImageDataset& data, int64_t k) {
  return k < static_cast<int64_t>(data.class_names.size()) ? data.class_names[k]
                                                           : std::to_string(k);
}

// Whether the network's prediction names the case's class: its arg-max (single-label) or a
// positive logit (multi-label).
bool predicted_right(const Tensor& logits, int64_t row, int64_t cls, bool multilabel) {
  const Tensor r = logits.select(0, row).contiguous();
  const float* v = r.data<float>();
  if (multilabel) return v[cls] > 0;
  return std::max_element(v, v + r.size(0)) - v == cls;
}

// Sums of the faithfulness terms over the cases scored so far.
struct FaithfulnessSums {
  int64_t cases = 0;
  double drop = 0, increase = 0, deletion = 0, insertion = 0, road = 0, arcc = 0;

  void add(const WsolModel& m, cam::Method& method, const cam::Explanation& e, const Tensor& images,
           const Tensor& classes, const cam::CurveOptions& curves, bool with_road) {
    const cam::ClassProbability probability = class_probability(m);
    Tensor logits = e.logits.to(Device::cpu());  // [b, K]
    Tensor probs = m.multilabel ? ops::sigmoid(logits) : ops::softmax(logits, 1);
    Tensor y = ops::gather(probs, 1, classes.unsqueeze(1)).squeeze(1);  // [b]
    Tensor maps = e.maps.to(Device::cpu());                             // [b, H, W]
    Tensor o = probability(cam::mask_inputs(images, maps), classes);    // [b]
    drop += ops::sum(cam::confidence_drop(y, o)).item();
    increase += ops::sum(cam::confidence_increase(y, o)).item();
    deletion +=
        ops::sum(cam::curve_auc(cam::deletion_curves(probability, images, maps, classes, curves)))
            .item();
    insertion +=
        ops::sum(cam::curve_auc(cam::insertion_curves(probability, images, maps, classes, curves)))
            .item();
    if (with_road) add_road(m, method, maps, images, classes, curves.batch_size);
    cases += images.size(0);
  }

  // ROAD at pytorch-grad-cam's default percentiles 10..90, and ARCC (its own ROAD at 20..80).
  void add_road(const WsolModel& m, cam::Method& method, const Tensor& maps, const Tensor& images,
                const Tensor& classes, int64_t batch_size) {
    const cam::ClassProbability probability = class_probability(m);
    const cam::MapFunction explain = [&](const Tensor& x, const Tensor& c) {
      return method.explain(x.to(m.device), cam::Target::labels(c.to(m.device))).maps;
    };
    road += ops::sum(cam::road_scores(probability, images, maps, classes,
                                      {.seed = m.seed, .batch_size = batch_size})
                         .combined)
                .item();
    arcc +=
        ops::sum(
            cam::arcc(probability, explain, images, maps, classes,
                      {.percentiles = {20, 40, 60, 80}, .seed = m.seed, .batch_size = batch_size})
                .arcc)
            .item();
  }
};

// What the figures need of one method: the maps of the first cases.
struct FigureMaps {
  std::vector<Tensor> maps;  // per case, [H, W]
};

MethodLocalization score_method(const WsolModel& m, const std::string& name, const Tensor& fed,
                                const Tensor& channel_mean, const std::vector<Case>& cases,
                                const LocalizeOptions& o, int64_t faithful_cases,
                                int64_t figure_cases, FigureMaps& figure) {
  const auto start = std::chrono::steady_clock::now();
  auto method = m.method(name);
  cam::LocalizationTally tally(
      {.threshold = o.threshold,
       .sweep = o.sweep ? cam::sweep_thresholds(o.sweep_step) : std::vector<double>{},
       .iou_threshold = o.iou_threshold});
  FaithfulnessSums faith;
  const auto total = static_cast<int64_t>(cases.size());
  for (int64_t first = 0; first < total; first += m.batch_size) {
    const int64_t b = std::min(m.batch_size, total - first);
    cam::Explanation e = explain_cases(*method, fed, cases, first, b, m.device);
    const Tensor maps = e.maps.to(Device::cpu()).to(DType::Float32).contiguous();  // [b, H, W]
    const Tensor logits = e.logits.to(Device::cpu()).to(DType::Float32);           // [b, K]
    for (int64_t r = 0; r < b; ++r) {
      const Case& c = cases[first + r];
      const Tensor map = maps.select(0, r).contiguous();
      tally.add(cam::map_view(map), c.boxes, predicted_right(logits, r, c.cls, m.multilabel));
      if (first + r < figure_cases) figure.maps.push_back(map.clone());
    }
    const int64_t scored = std::clamp<int64_t>(faithful_cases - first, 0, b);
    if (scored > 0) {
      std::vector<int64_t> rows, classes;
      for (int64_t r = 0; r < scored; ++r) {
        rows.push_back(cases[first + r].image);
        classes.push_back(cases[first + r].cls);
      }
      cam::Explanation part = e;
      part.maps = maps.narrow(0, 0, scored);
      part.logits = logits.narrow(0, 0, scored);
      const Tensor images = ops::index_select(fed, 0, Tensor::from_vector(rows, {scored}));
      const Tensor baseline = cam::baseline_images(
          images, o.baseline, {.blur_sigma = o.blur_sigma, .channel_mean = channel_mean});
      faith.add(
          m, *method, part, images, Tensor::from_vector(classes, {scored}),
          {.steps = o.curve_steps, .baseline_images = baseline, .batch_size = 4 * m.batch_size},
          o.road);
    }
  }
  MethodLocalization out{.method = name, .boxes = tally.summary()};
  if (faith.cases > 0) {
    const auto n = static_cast<double>(faith.cases);
    out.faithfulness_cases = faith.cases;
    out.average_drop = faith.drop / n;
    out.increase = faith.increase / n;
    out.deletion = faith.deletion / n;
    out.insertion = faith.insertion / n;
    out.road = faith.road / n;
    out.arcc = faith.arcc / n;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

render::RgbImage with_boxes(render::RgbImage cell, const std::vector<cam::Box>& truth,
                            const cam::Box* predicted) {
  for (const cam::Box& b : truth) draw_rectangle(cell, b, kTrueBoxColor);
  if (predicted) draw_rectangle(cell, *predicted, kPredictedBoxColor);
  return cell;
}

void write_figures(const LocalizeResult& result, const datasets::ImageDataset& data,
                   const std::vector<Case>& cases, const std::vector<FigureMaps>& maps,
                   const std::filesystem::path& out) {
  std::vector<std::string> titles = {"input"};
  for (const MethodLocalization& m : result.methods) titles.push_back(m.method);
  render::FigureGrid grid(titles, {.min_cell = 128});
  const size_t rows = maps.empty() ? 0 : maps[0].maps.size();
  for (size_t j = 0; j < rows; ++j) {
    const Case& c = cases[j];
    const render::RgbImage image = render::to_rgb(data.images.select(0, c.image));
    std::vector<render::RgbImage> cells = {with_boxes(image, c.boxes, nullptr)};
    for (const FigureMaps& fm : maps) {
      const cam::Box box = cam::box_from_map(cam::map_view(fm.maps[j]), result.options.threshold);
      cells.push_back(with_boxes(render::overlay(image, fm.maps[j], render::Colormap::Jet, 0.5),
                                 c.boxes, &box));
    }
    grid.add_row(fmt::format("#{} {}", c.image, class_name(data, c.cls)), cells);
  }
  grid.write(out / "localize.png");

  if (!data.is_multilabel() || maps.empty()) return;
  // The CAM paper's two-object figure: one canvas, the map of each of its classes side by side.
  render::FigureGrid pairs({"input", "class A", "class B"}, {.min_cell = 128});
  for (size_t j = 0; j + 1 < rows; ++j) {
    if (cases[j].image != cases[j + 1].image) continue;
    const render::RgbImage image = render::to_rgb(data.images.select(0, cases[j].image));
    pairs.add_row(fmt::format("#{} {}\nA: {}\nB: {}", cases[j].image, result.methods[0].method,
                              class_name(data, cases[j].cls), class_name(data, cases[j + 1].cls)),
                  image, {maps[0].maps[j], maps[0].maps[j + 1]}, render::Colormap::Jet, 0.5);
    ++j;
  }
  if (pairs.rows() > 0) pairs.write(out / "two_object.png");
}

}  // namespace

LocalizeResult localize(const WsolModel& m, const datasets::ImageDataset& all,
                        const datasets::Pipeline& pipeline, const LocalizeOptions& o) {
  CAMLAB_CHECK(!o.methods.empty(), "localize: no methods given; e.g. --methods cam,gradcam");
  CAMLAB_CHECK(o.threshold >= 0 && o.threshold <= 1, "localize: --threshold {} outside [0, 1]",
               o.threshold);
  const datasets::ImageDataset data = first_items(all, o.count);
  const Tensor fed = fed_images(data, pipeline);                             // [N, C, H, W]
  const Tensor channel_mean = ops::mean(fed.to(DType::Float32), {0, 2, 3});  // [C], mean baseline
  const std::vector<Case> cases = explained_cases(data);
  LocalizeResult result{
      .images = data.size(), .cases = static_cast<int64_t>(cases.size()), .options = o};
  int64_t faithful_cases = 0, figure_cases = 0;
  for (const Case& c : cases) {
    faithful_cases += o.faithfulness_count < 0 || c.image < o.faithfulness_count;
    figure_cases += c.image < o.figure_rows;
  }
  std::vector<FigureMaps> figure(o.methods.size());
  for (size_t k = 0; k < o.methods.size(); ++k) {
    MethodLocalization scores = score_method(m, o.methods[k], fed, channel_mean, cases, o,
                                             faithful_cases, figure_cases, figure[k]);
    fmt::print(
        "{:<20} GT-known Loc {:5.1f}%  MaxBoxAcc {:5.1f}% (t={:.2f})  pointing {:5.1f}%  "
        "deletion {:.3f}  insertion {:.3f}  ({:.0f} s)\n",
        scores.method, 100 * scores.boxes.gt_known_loc, 100 * scores.boxes.max_box_acc,
        scores.boxes.best_threshold, 100 * scores.boxes.pointing_game, scores.deletion,
        scores.insertion, scores.seconds);
    if (o.road) fmt::print("{:<20} ROAD {:.3f}  ARCC {:.3f}\n", "", scores.road, scores.arcc);
    std::fflush(stdout);
    result.methods.push_back(std::move(scores));
  }
  if (!o.out.empty()) {
    std::filesystem::create_directories(o.out);
    write_json_atomic(o.out / "metrics.json", localize_json(result));
    write_text_atomic(o.out / "localize.md", localize_table(result));
    write_figures(result, data, cases, figure, o.out);
  }
  return result;
}

std::string localize_table(const LocalizeResult& r) {
  std::string text = fmt::format(
      "Localization on {} ({} images, {} image-class cases); boxes at t = {:.2f}, IoU ≥ {:.2f}; "
      "faithfulness on {} cases, {} deletion/insertion steps onto a {} baseline.\n\n",
      r.options.data_name.empty() ? "the dataset" : r.options.data_name, r.images, r.cases,
      r.options.threshold, r.options.iou_threshold,
      r.methods.empty() ? 0 : r.methods[0].faithfulness_cases, r.options.curve_steps,
      cam::curve_baseline_name(r.options.baseline));
  const bool road = r.options.road;
  text +=
      "| method | GT-known Loc % | Top-1 Loc % | MaxBoxAcc % (t) | mean IoU | pointing % | "
      "energy % | Avg Drop % | Increase % | Deletion AUC ↓ | Insertion AUC ↑ |";
  text += road ? " ROAD ↑ | ARCC ↑ |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
               : "\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const MethodLocalization& m : r.methods) {
    const cam::LocalizationSummary& b = m.boxes;
    // Unmeasured faithfulness (--faithfulness 0) reads "–", not a misleading 0.
    const std::string faithfulness =
        m.faithfulness_cases == 0
            ? std::string(road ? "– | – | – | – | – | –" : "– | – | – | –")
            : fmt::format("{:.1f} | {:.1f} | {:.3f} | {:.3f}", 100 * m.average_drop,
                          100 * m.increase, m.deletion, m.insertion) +
                  (road ? fmt::format(" | {:.3f} | {:.3f}", m.road, m.arcc) : "");
    text += fmt::format(
        "| {} | {:.1f} | {:.1f} | {:.1f} ({:.2f}) | {:.3f} | {:.1f} | {:.1f} | {} |\n", m.method,
        100 * b.gt_known_loc, 100 * b.top1_loc, 100 * b.max_box_acc, b.best_threshold, b.mean_iou,
        100 * b.pointing_game, 100 * b.energy_pointing, faithfulness);
  }
  return text;
}

nlohmann::json localize_json(const LocalizeResult& r) {
  nlohmann::json methods = nlohmann::json::object();
  for (const MethodLocalization& m : r.methods) {
    const cam::LocalizationSummary& b = m.boxes;
    methods[m.method] = {{"cases", b.count},
                         {"gt_known_loc", b.gt_known_loc},
                         {"top1_loc", b.top1_loc},
                         {"mean_iou", b.mean_iou},
                         {"max_box_acc", b.max_box_acc},
                         {"best_threshold", b.best_threshold},
                         {"pointing_game", b.pointing_game},
                         {"energy_pointing_game", b.energy_pointing},
                         {"gt_known_loc_by_threshold",
                          {{"thresholds", b.sweep}, {"accuracy", b.gt_known_by_threshold}}},
                         {"faithfulness_cases", m.faithfulness_cases},
                         {"average_drop", m.average_drop},
                         {"increase_in_confidence", m.increase},
                         {"deletion_auc", m.deletion},
                         {"insertion_auc", m.insertion},
                         {"seconds", m.seconds}};
    if (r.options.road) {
      methods[m.method]["road_combined"] = m.road;
      methods[m.method]["arcc"] = m.arcc;
    }
  }
  return {{"data", r.options.data_name},
          {"images", r.images},
          {"cases", r.cases},
          {"threshold", r.options.threshold},
          {"iou_threshold", r.options.iou_threshold},
          {"sweep", r.options.sweep},
          {"curve_steps", r.options.curve_steps},
          {"curve_baseline", cam::curve_baseline_name(r.options.baseline)},
          {"blur_sigma", r.options.blur_sigma},
          {"methods", methods}};
}

}  // namespace camlab::experiments
