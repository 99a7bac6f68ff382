#include "experiments/wsol/segment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "cam/methods/method.h"
#include "cam/render/figure_grid.h"
#include "cam/render/heatmap.h"
#include "experiments/explain/explain.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/wsol/figures.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

struct SeedQuality {
  double coverage = 0, precision = 0;
};

SeedQuality seed_quality(const Tensor& truth_in, const Tensor& seeds_in) {
  const Tensor truth = truth_in.contiguous(), seeds = seeds_in.contiguous();
  const uint8_t* t = truth.data<uint8_t>();
  const uint8_t* s = seeds.data<uint8_t>();
  int64_t seeded = 0, right = 0;
  for (int64_t i = 0; i < truth.numel(); ++i) {
    if (s[i] == cam::kIgnoreLabel) continue;
    ++seeded;
    right += s[i] == t[i];
  }
  return {static_cast<double>(seeded) / static_cast<double>(std::max<int64_t>(truth.numel(), 1)),
          static_cast<double>(right) / static_cast<double>(std::max<int64_t>(seeded, 1))};
}

double mean_iou_of(int64_t labels, const Tensor& truth, const Tensor& predicted,
                   std::vector<double>* ious = nullptr) {
  cam::ConfusionMatrix confusion(labels);
  confusion.add(truth, predicted);
  if (ious) *ious = confusion.ious();
  return confusion.mean_iou();
}

// The layer the segmenter's activation maps read: the last full-resolution features, before the
// 1x1 head (the batch norm's output: the stage's ReLU is a function, not a module).
constexpr const char* kSegmenterCamLayer = "fuse_bn";

// Explains the trained segmenter like any model (SEC's segmenter is a network too, and its maps
// say which pixels its decision for a class rests on). Each of the first figure_rows images is
// explained for its class, segmenter label c + 1 (0 is background), through the segmentation
// target: the class's pixel logits summed over the object's true mask (docs/cam.md, "Targets").
// The true region rather than the predicted one, so a segmenter that misses the object still
// gets a map of what it would take to call those pixels c. Writes segmenter-explain/explain.png
// and explanations.h5.
void explain_trained_segmenter(Segmenter& net, const datasets::ImageDataset& data,
                               const Tensor& fed, const SegmentOptions& o) {
  const int64_t n = std::min(o.figure_rows, data.size());
  ExplainInputs inputs;
  inputs.images = fed.narrow(0, 0, n).contiguous();  // [n, C, H, W]
  inputs.labels = Tensor::empty({n}, DType::Int64);  // [n] segmenter labels
  inputs.indices = ops::arange(0, double(n), 1, DType::Int64, Device::cpu());        // [n]
  inputs.regions = Tensor::empty({n, data.height(), data.width()}, DType::Float32);  // [n, H, W]
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<int64_t> present = present_classes(data, i);
    CAMLAB_CHECK(!present.empty(), "segment --explain-segmenter: image {} has no class", i);
    inputs.labels.data<int64_t>()[i] = present.front() + 1;
    inputs.regions.select(0, i).copy_(
        ops::eq(data.masks.select(0, i), ops::scalar(double(present.front() + 1), DType::UInt8))
            .to(DType::Float32));
    inputs.names.push_back(fmt::format("#{}", i));
    inputs.shown.push_back(render::to_rgb(data.images.select(0, i)));
  }
  ExplainRequest request{.methods = o.explain_segmenter,
                         .layer = kSegmenterCamLayer,
                         .targets = {"label"},
                         .top_k = 3,
                         .device = o.training.device,
                         .out = o.out / "segmenter-explain",
                         .h5 = o.out / "segmenter-explain" / "explanations.h5"};
  request.class_names = {"background"};
  for (const std::string& name : data.class_names) request.class_names.push_back(name);
  net.eval();
  (void)explain(net, inputs, request);
}

SegmenterScores train_and_score(const WsolModel& m, const datasets::ImageDataset& data,
                                const Tensor& fed, const datasets::ImageDataset& train_all,
                                const datasets::Pipeline& pipeline, const SegmentOptions& o,
                                const std::string& method, Tensor& predicted) {
  const datasets::ImageDataset train = first_items(train_all, o.train_count);
  check_dataset_for(train, "segmenter training set", "train the segmenter on", m.classes);
  const Tensor train_fed = fed_images(train, pipeline);                         // [T, C, H, W]
  const Tensor train_seeds = seed_masks(m, method, train, train_fed, o.seeds);  // [T, H, W]
  SegmenterScores s{.method = method, .train_images = train.size()};
  if (train.has_masks()) s.train_seed_precision = seed_quality(train.masks, train_seeds).precision;
  fmt::print("segmenter: {} training images, {} seeds (precision {:.1f}%), {} epochs\n",
             train.size(), method, 100 * s.train_seed_precision, o.training.epochs);
  std::fflush(stdout);
  Generator gen(o.training.seed);
  Segmenter net(fed.size(1), m.classes + 1, gen);
  s.losses = train_segmenter(net, train_fed, train_seeds, presence(train, m.classes), o.training);
  const Tensor any = predict_masks(net, fed, Tensor(), 64, o.training.device);
  predicted = predict_masks(net, fed, presence(data, m.classes), 64, o.training.device);
  s.miou = mean_iou_of(m.classes + 1, data.masks, any);
  s.miou_with_labels = mean_iou_of(m.classes + 1, data.masks, predicted, &s.ious);
  if (!o.explain_segmenter.empty() && !o.out.empty()) explain_trained_segmenter(net, data, fed, o);
  return s;
}

void write_figure(const SegmentResult& r, const datasets::ImageDataset& data, const Tensor& seeds,
                  const Tensor& predicted, const std::filesystem::path& path) {
  const std::string& method = r.segmenter ? r.segmenter->method : r.seeds[0].method;
  std::vector<std::string> titles = {"image", "true mask", method + " seeds"};
  if (predicted.defined()) titles.push_back("segmenter");
  render::FigureGrid grid(titles, {.min_cell = 128});
  for (int64_t i = 0; i < std::min(r.options.figure_rows, data.size()); ++i) {
    std::vector<render::RgbImage> cells = {render::to_rgb(data.images.select(0, i)),
                                           mask_rgb(data.masks.select(0, i)),
                                           mask_rgb(seeds.select(0, i))};
    if (predicted.defined()) cells.push_back(mask_rgb(predicted.select(0, i)));
    std::string label = fmt::format("#{}", i);
    for (int64_t k : present_classes(data, i)) {
      label += "\n" + (k < static_cast<int64_t>(data.class_names.size()) ? data.class_names[k]
                                                                         : std::to_string(k));
    }
    grid.add_row(label, cells);
  }
  grid.write(path);
}

nlohmann::json nan_as_null(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (double v : values)
    out.push_back(std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v));
  return out;
}

}  // namespace

Tensor seed_masks(const WsolModel& m, const std::string& name, const datasets::ImageDataset& data,
                  const Tensor& fed, const cam::SeedOptions& options) {
  const std::vector<Case> cases = explained_cases(data);
  auto method = m.method(name);
  std::vector<Tensor> parts;
  const auto total = static_cast<int64_t>(cases.size());
  for (int64_t first = 0; first < total; first += m.batch_size) {
    const int64_t b = std::min(m.batch_size, total - first);
    parts.push_back(explain_cases(*method, fed, cases, first, b, m.device)
                        .maps.to(Device::cpu())
                        .to(DType::Float32));
  }
  const Tensor maps = ops::cat(parts, 0).contiguous();  // [cases, H, W]
  Tensor seeds = Tensor::empty({data.size(), data.height(), data.width()}, DType::UInt8);
  for (int64_t j = 0; j < total;) {  // the cases of one image are consecutive
    int64_t end = j;
    std::vector<int64_t> classes;
    while (end < total && cases[end].image == cases[j].image) classes.push_back(cases[end++].cls);
    seeds.select(0, cases[j].image)
        .copy_(cam::seed_mask(maps.narrow(0, j, end - j), classes, options));
    j = end;
  }
  return seeds;
}

SegmentResult segment(const WsolModel& m, const datasets::ImageDataset& all,
                      const datasets::ImageDataset* train, const datasets::Pipeline& pipeline,
                      const SegmentOptions& o) {
  CAMLAB_CHECK(!o.methods.empty(), "segment: no methods given; e.g. --methods cam,gradcam");
  CAMLAB_CHECK(!o.train_segmenter || train != nullptr,
               "segment: --train-segmenter needs training images (the run's training split)");
  CAMLAB_CHECK(o.explain_segmenter.empty() || o.train_segmenter,
               "segment: --explain-segmenter explains the segmenter --train-segmenter trains; "
               "add --train-segmenter");
  for (const std::string& name : o.explain_segmenter) {  // before minutes of training, not after
    const auto& known = cam::method_names();
    CAMLAB_CHECK(std::find(known.begin(), known.end(), name) != known.end(),
                 "segment: --explain-segmenter: unknown method '{}'; valid methods: {}", name,
                 fmt::join(known, ", "));
  }
  const datasets::ImageDataset data = first_items(all, o.count);
  const Tensor fed = fed_images(data, pipeline);  // [N, C, H, W]
  SegmentResult r{.images = data.size(), .options = o};
  const std::string trained_method = o.segmenter_method.empty() ? o.methods[0] : o.segmenter_method;
  Tensor figure_seeds;
  for (const std::string& name : o.methods) {
    const Tensor seeds = seed_masks(m, name, data, fed, o.seeds);  // [N, H, W]
    SeedScores s{.method = name};
    s.miou = mean_iou_of(m.classes + 1, data.masks, seeds, &s.ious);
    const SeedQuality q = seed_quality(data.masks, seeds);
    s.coverage = q.coverage, s.precision = q.precision;
    fmt::print("{:<20} seeds mIoU {:5.1f}%  coverage {:5.1f}%  precision {:5.1f}%\n", name,
               100 * s.miou, 100 * s.coverage, 100 * s.precision);
    std::fflush(stdout);
    if (name == trained_method || !figure_seeds.defined()) figure_seeds = seeds;
    r.seeds.push_back(std::move(s));
  }
  Tensor predicted;
  if (o.train_segmenter) {
    if (std::find(o.methods.begin(), o.methods.end(), trained_method) == o.methods.end()) {
      const Tensor seeds = seed_masks(m, trained_method, data, fed, o.seeds);
      figure_seeds = seeds;
      r.seeds.push_back(
          {.method = trained_method, .miou = mean_iou_of(m.classes + 1, data.masks, seeds)});
    }
    SegmenterScores s =
        train_and_score(m, data, fed, *train, pipeline, o, trained_method, predicted);
    for (const SeedScores& seeds : r.seeds) {
      if (seeds.method == trained_method) s.seeds_miou = seeds.miou;
    }
    fmt::print(
        "segmenter ({} seeds): mIoU {:5.1f}% (with image labels {:5.1f}%) vs seeds {:5.1f}%\n",
        trained_method, 100 * s.miou, 100 * s.miou_with_labels, 100 * s.seeds_miou);
    r.segmenter = std::move(s);
  }
  if (!o.out.empty()) {
    std::filesystem::create_directories(o.out);
    write_json_atomic(o.out / "metrics.json", segment_json(r));
    write_text_atomic(o.out / "segment.md", segment_table(r));
    write_figure(r, data, figure_seeds, predicted, o.out / "segment.png");
  }
  return r;
}

std::string segment_table(const SegmentResult& r) {
  std::string text = fmt::format(
      "Segmentation on {} ({} images); seeds: class k where its map ≥ {:.2f}·max, background "
      "where every present class's map < {:.2f}·max; mIoU over background + classes.\n\n",
      r.options.data_name.empty() ? "the dataset" : r.options.data_name, r.images,
      r.options.seeds.foreground, r.options.seeds.background);
  text += "| method | seeds mIoU % | seed coverage % | seed precision % |\n|---|---|---|---|\n";
  for (const SeedScores& s : r.seeds) {
    text += fmt::format("| {} | {:.1f} | {:.1f} | {:.1f} |\n", s.method, 100 * s.miou,
                        100 * s.coverage, 100 * s.precision);
  }
  if (r.segmenter) {
    const SegmenterScores& s = *r.segmenter;
    const SegmenterTraining& t = r.options.training;
    const std::string losses = std::string("seed") + (t.expand ? " + expand" : "") +
                               (t.constrain > 0 ? fmt::format(" + {} × CRF constrain", t.constrain)
                                                : ", no CRF constrain");
    text += fmt::format(
        "\nSEC-style segmenter ({} loss) trained on {} seeds of "
        "{} training images for {} epochs (final loss {:.3f}):\n\n"
        "| | mIoU % |\n|---|---|\n| {} seeds | {:.1f} |\n| segmenter, arg-max over all labels | "
        "{:.1f} |\n| segmenter, background + the image's classes | {:.1f} |\n\n"
        "The segmenter {} the raw seeds.\n",
        losses, s.method, s.train_images, s.losses.size(), s.losses.empty() ? 0.0 : s.losses.back(),
        s.method, 100 * s.seeds_miou, 100 * s.miou, 100 * s.miou_with_labels,
        s.miou_with_labels > s.seeds_miou ? "beats" : "does not beat");
  }
  return text;
}

nlohmann::json segment_json(const SegmentResult& r) {
  nlohmann::json seeds = nlohmann::json::object();
  for (const SeedScores& s : r.seeds) {
    seeds[s.method] = {{"miou", s.miou},
                       {"ious", nan_as_null(s.ious)},
                       {"coverage", s.coverage},
                       {"precision", s.precision}};
  }
  nlohmann::json out = {{"data", r.options.data_name},
                        {"images", r.images},
                        {"foreground_threshold", r.options.seeds.foreground},
                        {"background_threshold", r.options.seeds.background},
                        {"seeds", seeds}};
  if (r.segmenter) {
    const SegmenterScores& s = *r.segmenter;
    out["segmenter"] = {{"method", s.method},
                        {"train_images", s.train_images},
                        {"epochs", s.losses.size()},
                        {"constrain_weight", r.options.training.constrain},
                        {"losses", s.losses},
                        {"train_seed_precision", s.train_seed_precision},
                        {"miou", s.miou},
                        {"miou_with_labels", s.miou_with_labels},
                        {"ious", nan_as_null(s.ious)},
                        {"seeds_miou", s.seeds_miou},
                        {"beats_seeds", s.miou_with_labels > s.seeds_miou}};
  }
  return out;
}

}  // namespace camlab::experiments
