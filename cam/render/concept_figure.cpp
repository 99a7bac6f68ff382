#include "cam/render/concept_figure.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "cam/render/figure_grid.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::render {
namespace {

std::string class_label(int64_t k, const std::vector<std::string>& names) {
  return k < static_cast<int64_t>(names.size()) ? names[k] : fmt::format("class {}", k);
}

// maps [N, k, h, w] -> [N, k, H, W], each map min-max scaled to [0, 1] on its own (a flat map
// becomes 0).
Tensor display_maps(const Tensor& maps, int64_t height, int64_t width) {
  Tensor m = maps.to(Device::cpu()).to(DType::Float32);  // [N, k, h, w]
  if (m.size(2) != height || m.size(3) != width) {
    m = ops::upsample_bilinear2d(m, {height, width}, false);  // [N, k, H, W]
  }
  const Tensor low = ops::amin(m, {2, 3}, true);                          // [N, k, 1, 1]
  const Tensor span = ops::sub(ops::amax(m, {2, 3}, true), low);          // [N, k, 1, 1]
  return ops::div(ops::sub(m, low), ops::add(span, 1e-12)).contiguous();  // [N, k, H, W]
}

}  // namespace

std::string concept_title(int64_t concept_index, const Tensor& scores,
                          const std::vector<std::string>& class_names) {
  const Tensor row = scores.select(0, concept_index).to(DType::Float32).contiguous();  // [K]
  const float* s = row.data<float>();
  std::vector<int64_t> order(static_cast<size_t>(row.size(0)));
  std::iota(order.begin(), order.end(), 0);
  const size_t shown = std::min<size_t>(2, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                    [s](int64_t a, int64_t b) { return s[a] > s[b]; });
  std::string title = fmt::format("concept {}", concept_index + 1);
  for (size_t r = 0; r < shown; ++r) {
    title += fmt::format("\n{} {:.1f}", class_label(order[r], class_names), s[order[r]]);
  }
  return title;
}

void write_concept_figure(const std::filesystem::path& path, const std::vector<RgbImage>& shown,
                          const Tensor& maps, const Tensor& scores,
                          const std::vector<std::string>& class_names, Colormap colormap) {
  CAMLAB_CHECK(maps.dim() == 4 && scores.dim() == 2 && scores.size(0) == maps.size(1) &&
                   static_cast<int64_t>(shown.size()) == maps.size(0) && !shown.empty(),
               "concept figure: maps {} and scores {} for {} images; expected [N, k, h, w] and "
               "[k, classes] with N images",
               shape_str(maps.shape()), shape_str(scores.shape()), shown.size());
  const int64_t n = maps.size(0), k = maps.size(1);
  const Tensor cells = display_maps(maps, shown[0].height, shown[0].width);  // [N, k, H, W]
  std::vector<std::string> titles = {"input"};
  for (int64_t j = 0; j < k; ++j) titles.push_back(concept_title(j, scores, class_names));
  FigureGrid grid(titles);
  for (int64_t i = 0; i < n; ++i) {
    std::vector<Tensor> row;  // k maps [H, W]
    for (int64_t j = 0; j < k; ++j) row.push_back(cells.select(0, i).select(0, j));
    grid.add_row(fmt::format("#{}", i), shown[i], row, colormap, 0.5);
  }
  grid.write(path);
}

}  // namespace camlab::render
