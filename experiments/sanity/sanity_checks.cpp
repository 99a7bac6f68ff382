#include "experiments/sanity/sanity_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cam/methods/method.h"
#include "cam/metrics/hog.h"
#include "cam/metrics/spearman.h"
#include "cam/metrics/ssim.h"
#include "cam/render/figure_grid.h"
#include "cam/render/heatmap.h"
#include "experiments/run/atomic_write.h"
#include "experiments/sanity/layer_randomization.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

// One method's maps of every image.
struct MethodMaps {
  Tensor signed_maps;  // [N, H, W] float64: pixel attributions summed over channels, else maps
  Tensor maps;         // [N, H, W] float64 in [0, 1], as the method returns them
};

cam::MethodSettings method_settings(const SanityOptions& o) {
  cam::MethodSettings s;
  if (!o.cam_layer.empty()) s.common.layers = {o.cam_layer};
  s.set_seed(o.seed);
  s.set_batch_size(o.batch_size);
  return s;
}

MethodMaps explain_images(nn::Module& model, const std::string& method, const Tensor& fed,
                          const Tensor& targets, const SanityOptions& o) {
  auto explainer = cam::make_method(method, model, method_settings(o));
  std::vector<Tensor> signed_parts, map_parts;
  const int64_t n = fed.size(0);
  for (int64_t first = 0; first < n; first += o.batch_size) {
    const int64_t b = std::min(o.batch_size, n - first);
    const Tensor batch = fed.narrow(0, first, b).to(o.device);        // [b, C, H, W]
    const Tensor classes = targets.narrow(0, first, b).to(o.device);  // [b]
    const cam::Explanation e = explainer->explain(batch, cam::Target::labels(classes));
    const Tensor maps = e.maps.to(Device::cpu()).to(DType::Float64);  // [b, H, W]
    map_parts.push_back(maps);
    signed_parts.push_back(e.attributions.defined()
                               ? ops::sum(e.attributions.to(Device::cpu()).to(DType::Float64), {1})
                               : maps);  // [b, H, W]
  }
  return {ops::cat(signed_parts, 0).contiguous(), ops::cat(map_parts, 0).contiguous()};
}

// The four similarities of `maps` to `original`, averaged over the images.
SimilarityRow compare(const MethodMaps& original, const MethodMaps& maps) {
  SimilarityRow row;
  const int64_t n = original.maps.size(0);
  const int64_t cell = cam::hog_cell_for(original.maps.size(1), original.maps.size(2));
  for (int64_t i = 0; i < n; ++i) {
    const Tensor s0 = original.signed_maps.select(0, i), s1 = maps.signed_maps.select(0, i);
    const Tensor m0 = cam::normalized(original.maps.select(0, i));
    const Tensor m1 = cam::normalized(maps.maps.select(0, i));
    row.spearman += cam::spearman(s0, s1);
    row.spearman_abs += cam::spearman(ops::abs(s0), ops::abs(s1));
    row.ssim += cam::ssim(m0, m1);
    row.hog += cam::hog_similarity(m0, m1, {.cell = cell});
  }
  const auto count = static_cast<double>(n);
  row.spearman /= count;
  row.spearman_abs /= count;
  row.ssim /= count;
  row.hog /= count;
  return row;
}

void check_inputs(const SanityImages& images, const SanityOptions& o) {
  CAMLAB_CHECK(!o.methods.empty(), "sanity: no methods given; e.g. --methods gradcam,saliency");
  const std::vector<std::string>& valid = cam::method_names();
  for (const std::string& m : o.methods) {
    CAMLAB_CHECK(std::find(valid.begin(), valid.end(), m) != valid.end(),
                 "sanity: unknown method '{}'; valid: {}", m, fmt::join(valid, ", "));
  }
  CAMLAB_CHECK(images.fed.dim() == 4 && images.fed.size(0) > 0,
               "sanity: expected images [N, C, H, W] with N > 0, got {}",
               shape_str(images.fed.shape()));
  CAMLAB_CHECK(images.targets.dim() == 1 && images.targets.size(0) == images.fed.size(0),
               "sanity: {} targets for {} images", images.targets.numel(), images.fed.size(0));
  CAMLAB_CHECK(o.batch_size > 0, "sanity: --batch-size must be positive, got {}", o.batch_size);
  CAMLAB_CHECK(o.figure_image >= 0 && o.figure_image < images.fed.size(0),
               "sanity: --figure-image {} is not one of the {} images (0..{})", o.figure_image,
               images.fed.size(0), images.fed.size(0) - 1);
}

// The figure of one schedule: a row per method, the input, the trained network's map, then one
// column per step (Adebayo et al. fig. 2).
void write_figure(const std::filesystem::path& path, const SanityImages& images,
                  const SanityOptions& o, const std::vector<std::string>& columns,
                  const std::map<std::string, std::vector<Tensor>>& maps) {
  std::vector<std::string> titles = {"input"};
  titles.insert(titles.end(), columns.begin(), columns.end());
  render::FigureGrid grid(titles, {.min_cell = 96});
  const render::RgbImage input = render::to_rgb(images.display.select(0, o.figure_image));
  for (const std::string& method : o.methods) {
    grid.add_row(method, input, maps.at(method), render::Colormap::Jet, 0.5);
  }
  grid.write(path);
}

void print_row(const SimilarityRow& r) {
  fmt::print(
      "{:<12} {:<14} {:<20} spearman {:6.3f}  |spearman| {:6.3f}  ssim {:6.3f}  hog {:6.3f}\n",
      r.randomization, r.layer, r.method, r.spearman, r.spearman_abs, r.ssim, r.hog);
  std::fflush(stdout);
}

}  // namespace

SanityResult sanity_checks(nn::Module& model, const SanityImages& images, const SanityOptions& o,
                           const SanityAgainst& against) {
  check_inputs(images, o);
  const std::vector<ParametrisedLayer> layers = select_layers(parametrised_layers(model), o.layers);
  SanityResult result{.images = images.fed.size(0)};
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) result.layers.push_back(it->name);

  // The trained network's maps first: a method that cannot explain the model fails here.
  std::map<std::string, MethodMaps> original;
  for (const std::string& m : o.methods) {
    original[m] = explain_images(model, m, images.fed, images.targets, o);
  }
  auto figure_map = [&](const MethodMaps& maps) { return maps.maps.select(0, o.figure_image); };

  const ModelSnapshot trained(model);
  std::vector<std::vector<RandomizationStep>> schedules;
  if (o.cascading) schedules.push_back(cascading_steps(layers));
  if (o.independent) schedules.push_back(independent_steps(layers));
  for (const std::vector<RandomizationStep>& steps : schedules) {
    std::vector<std::string> columns = {"original"};
    std::map<std::string, std::vector<Tensor>> figure;  // method -> its map per column
    for (const std::string& m : o.methods) figure[m].push_back(figure_map(original[m]));
    for (const RandomizationStep& step : steps) {
      trained.restore(model);
      for (const ParametrisedLayer& layer : step.randomized) randomize_layer(model, layer, o.seed);
      columns.push_back(step.layer);
      for (const std::string& m : o.methods) {
        const MethodMaps maps = explain_images(model, m, images.fed, images.targets, o);
        SimilarityRow row = compare(original[m], maps);
        row.randomization = step.randomization;
        row.layer = step.layer;
        row.method = m;
        print_row(row);
        result.rows.push_back(row);
        figure[m].push_back(figure_map(maps));
      }
    }
    trained.restore(model);
    if (!o.out.empty() && !steps.empty()) {
      std::filesystem::create_directories(o.out);
      const auto path = o.out / (steps[0].randomization + ".png");
      write_figure(path, images, o, columns, figure);
      result.written.push_back(path);
    }
  }

  if (against.model != nullptr) {
    std::map<std::string, std::vector<Tensor>> figure;
    for (const std::string& m : o.methods) {
      const MethodMaps maps = explain_images(*against.model, m, against.fed, images.targets, o);
      SimilarityRow row = compare(original[m], maps);
      row.randomization = "labels";
      row.layer = against.name;
      row.method = m;
      print_row(row);
      result.rows.push_back(row);
      figure[m] = {figure_map(original[m]), figure_map(maps)};
    }
    if (!o.out.empty()) {
      std::filesystem::create_directories(o.out);
      write_figure(o.out / "labels.png", images, o, {"original", against.name}, figure);
      result.written.push_back(o.out / "labels.png");
    }
  }

  if (!o.out.empty()) {
    std::filesystem::create_directories(o.out);
    write_text_atomic(o.out / "sanity.csv", sanity_csv(result));
    write_text_atomic(o.out / "sanity.md", sanity_table(result));
    result.written.push_back(o.out / "sanity.csv");
    result.written.push_back(o.out / "sanity.md");
  }
  return result;
}

std::string sanity_csv(const SanityResult& result) {
  std::string text = "randomization,layer,method,spearman,spearman_abs,ssim,hog\n";
  for (const SimilarityRow& r : result.rows) {
    text += fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.6f}\n", r.randomization, r.layer,
                        r.method, r.spearman, r.spearman_abs, r.ssim, r.hog);
  }
  return text;
}

std::string sanity_table(const SanityResult& result) {
  std::string text = fmt::format(
      "Similarity to the trained network's maps, mean over {} images (1 = unchanged).\n\n"
      "| randomization | layer | method | Spearman | Spearman (abs) | SSIM | HOG |\n"
      "|---|---|---|---|---|---|---|\n",
      result.images);
  for (const SimilarityRow& r : result.rows) {
    text += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", r.randomization,
                        r.layer, r.method, r.spearman, r.spearman_abs, r.ssim, r.hog);
  }
  return text;
}

}  // namespace camlab::experiments
