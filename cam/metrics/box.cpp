#include "cam/metrics/box.h"

#include <algorithm>

#include "tensor/error.h"

namespace camlab::cam {

double iou(const Box& a, const Box& b) {
  const Box both{std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1),
                 std::min(a.y1, b.y1)};
  const double inter = both.x0 < both.x1 && both.y0 < both.y1 ? both.area() : 0.0;
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

MapView map_view(const Tensor& map) {
  CAMLAB_CHECK(map.dim() == 2 && map.dtype() == DType::Float32 && map.is_contiguous() &&
                   map.device().is_cpu(),
               "map_view: map is {} {} on {}; expected a contiguous float32 [H, W] on the CPU",
               dtype_name(map.dtype()), shape_str(map.shape()), map.device().str());
  return {map.data<float>(), map.size(0), map.size(1)};
}

std::vector<int32_t> label_components(const std::vector<uint8_t>& mask, int64_t height,
                                      int64_t width) {
  CAMLAB_CHECK(static_cast<int64_t>(mask.size()) == height * width,
               "label_components: mask has {} pixels but {}x{} needs {}", mask.size(), height,
               width, height * width);
  std::vector<int32_t> labels(mask.size(), 0);
  std::vector<int64_t> stack;
  int32_t count = 0;
  for (int64_t start = 0; start < height * width; ++start) {
    if (!mask[start] || labels[start]) continue;
    labels[start] = ++count;
    stack.push_back(start);
    while (!stack.empty()) {  // flood fill, iterative so large blobs cannot overflow the stack
      const int64_t at = stack.back();
      stack.pop_back();
      const int64_t y = at / width, x = at % width;
      for (int64_t dy = -1; dy <= 1; ++dy) {
        for (int64_t dx = -1; dx <= 1; ++dx) {
          const int64_t ny = y + dy, nx = x + dx;
          if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
          const int64_t next = ny * width + nx;
          if (mask[next] && !labels[next]) {
            labels[next] = count;
            stack.push_back(next);
          }
        }
      }
    }
  }
  return labels;
}

Box box_from_map(const MapView& map, double threshold) {
  const int64_t n = map.height * map.width;
  CAMLAB_CHECK(n > 0, "box_from_map: empty map {}x{}", map.height, map.width);
  const float top = *std::max_element(map.values, map.values + n);
  const double cut = top > 0 ? threshold * top : 0.0;
  std::vector<uint8_t> keep(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) keep[i] = top <= 0 || map.values[i] >= cut;
  const std::vector<int32_t> labels = label_components(keep, map.height, map.width);
  const int32_t count = *std::max_element(labels.begin(), labels.end());
  std::vector<int64_t> sizes(static_cast<size_t>(count) + 1, 0);
  for (int32_t l : labels) ++sizes[l];
  sizes[0] = 0;
  const auto largest =
      static_cast<int32_t>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  Box box{static_cast<double>(map.width), static_cast<double>(map.height), 0, 0};
  for (int64_t i = 0; i < n; ++i) {
    if (labels[i] != largest) continue;
    const auto x = static_cast<double>(i % map.width), y = static_cast<double>(i / map.width);
    box.x0 = std::min(box.x0, x), box.y0 = std::min(box.y0, y);
    box.x1 = std::max(box.x1, x + 1), box.y1 = std::max(box.y1, y + 1);
  }
  return box;
}

}  // namespace camlab::cam
