#include "cam/metrics/hog.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "cam/metrics/spearman.h"
#include "tensor/error.h"

namespace camlab::cam {
namespace {

// Per-cell orientation histograms, [cells_y][cells_x][bins] row-major.
std::vector<double> cell_histograms(const std::vector<double>& v, int64_t h, int64_t w,
                                    int64_t cells_y, int64_t cells_x, const HogOptions& o) {
  auto at = [&](int64_t y, int64_t x) { return v[static_cast<size_t>(y * w + x)]; };
  std::vector<double> hist(static_cast<size_t>(cells_y * cells_x * o.orientations), 0.0);
  const double bin_width = 180.0 / static_cast<double>(o.orientations);
  for (int64_t y = 0; y < cells_y * o.cell; ++y) {
    for (int64_t x = 0; x < cells_x * o.cell; ++x) {
      const double gx = (x > 0 && x < w - 1) ? at(y, x + 1) - at(y, x - 1) : 0.0;
      const double gy = (y > 0 && y < h - 1) ? at(y + 1, x) - at(y - 1, x) : 0.0;
      const double magnitude = std::hypot(gx, gy);
      if (magnitude == 0) continue;
      double theta = std::atan2(gy, gx) * 180.0 / std::numbers::pi;  // (−180°, 180°]
      theta = std::fmod(theta + 360.0, 180.0);                       // unsigned: [0°, 180°)
      const auto bin = std::min(static_cast<int64_t>(theta / bin_width), o.orientations - 1);
      const int64_t cell = (y / o.cell) * cells_x + x / o.cell;
      hist[static_cast<size_t>(cell * o.orientations + bin)] += magnitude;
    }
  }
  const auto area = static_cast<double>(o.cell * o.cell);
  for (double& value : hist) value /= area;
  return hist;
}

// L2-Hys (Dalal & Triggs sec. 6.4): L2-normalise, clip at 0.2, L2-normalise again.
void l2_hys(std::span<double> block) {
  constexpr double kEps = 1e-5;
  auto normalise = [&] {
    double squares = 0;
    for (double v : block) squares += v * v;
    const double scale = 1.0 / std::sqrt(squares + kEps * kEps);
    for (double& v : block) v *= scale;
  };
  normalise();
  for (double& v : block) v = std::min(v, 0.2);
  normalise();
}

}  // namespace

std::vector<double> hog(const Tensor& map, const HogOptions& o) {
  CAMLAB_CHECK(map.dim() == 2, "hog: expected a map [H, W], got {}", shape_str(map.shape()));
  CAMLAB_CHECK(o.orientations >= 1 && o.cell >= 1 && o.block >= 1,
               "hog: orientations, cell and block must be positive, got {}, {} and {}",
               o.orientations, o.cell, o.block);
  const int64_t h = map.size(0), w = map.size(1);
  const int64_t cells_y = h / o.cell, cells_x = w / o.cell;
  CAMLAB_CHECK(cells_y >= o.block && cells_x >= o.block,
               "hog: a map {} holds {}x{} cells of {} px, fewer than a block of {}x{} cells; use "
               "a smaller cell",
               shape_str(map.shape()), cells_y, cells_x, o.cell, o.block, o.block);
  const std::vector<double> hist = cell_histograms(flat_values(map), h, w, cells_y, cells_x, o);
  const int64_t blocks_y = cells_y - o.block + 1, blocks_x = cells_x - o.block + 1;
  const int64_t block_size = o.block * o.block * o.orientations;
  std::vector<double> descriptor;
  descriptor.reserve(static_cast<size_t>(blocks_y * blocks_x * block_size));
  for (int64_t by = 0; by < blocks_y; ++by) {
    for (int64_t bx = 0; bx < blocks_x; ++bx) {
      const size_t start = descriptor.size();
      for (int64_t cy = by; cy < by + o.block; ++cy) {
        for (int64_t cx = bx; cx < bx + o.block; ++cx) {
          const auto first = hist.begin() + (cy * cells_x + cx) * o.orientations;
          descriptor.insert(descriptor.end(), first, first + o.orientations);
        }
      }
      l2_hys(std::span<double>(descriptor).subspan(start, static_cast<size_t>(block_size)));
    }
  }
  return descriptor;
}

double hog_similarity(const Tensor& a, const Tensor& b, const HogOptions& options) {
  CAMLAB_CHECK(a.shape() == b.shape(), "hog_similarity: maps {} and {} differ in shape",
               shape_str(a.shape()), shape_str(b.shape()));
  return pearson(hog(a, options), hog(b, options));
}

int64_t hog_cell_for(int64_t height, int64_t width) {
  return std::clamp<int64_t>(std::min(height, width) / 4, 1, 8);
}

}  // namespace camlab::cam
