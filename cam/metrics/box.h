// Boxes from class activation maps, the CAM paper's rule (Zhou et al. 2016, sec. 3.1): keep the
// pixels at or above t·max, take the largest 8-connected component, box it.
//
//   MapView m = map_view(cam);                         // cam: float32 [H, W] on the CPU
//   Box box = box_from_map(m, 0.2);                     // pixel edges: x1, y1 exclusive
//   double overlap = iou(box, Box{10, 12, 30, 40});     // hit at ≥ 0.5 (GT-known Loc)
//   std::vector<int32_t> parts = label_components(mask, h, w);   // 0 = off, 1.. components
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam {

// Pixel-edge coordinates: pixel (x, y) covers [x, x + 1) x [y, y + 1), so the box of pixels
// x..x' spans x0 = x, x1 = x' + 1, as the dataset schema's boxes.
struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;

  double area() const { return std::max(0.0, x1 - x0) * std::max(0.0, y1 - y0); }
  bool operator==(const Box&) const = default;
};

double iou(const Box& a, const Box& b);

// A read-only [H, W] map in row-major float32.
struct MapView {
  const float* values = nullptr;
  int64_t height = 0;
  int64_t width = 0;

  float at(int64_t x, int64_t y) const { return values[y * width + x]; }
};
// map: float32 [H, W], contiguous on the CPU (the view borrows its storage).
MapView map_view(const Tensor& map);

// Connected components of the non-zero pixels of mask [H, W] with 8-connectivity; labels 1..count
// in the order their first pixel is met in a row-major scan, 0 where the mask is off.
std::vector<int32_t> label_components(const std::vector<uint8_t>& mask, int64_t height,
                                      int64_t width);

// The box around the largest component of {map ≥ threshold · max(map)} (ties: the first in
// scan order). A map whose maximum is ≤ 0 keeps every pixel, i.e. the whole image.
Box box_from_map(const MapView& map, double threshold);

}  // namespace camlab::cam
