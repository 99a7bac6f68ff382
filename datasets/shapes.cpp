#include "datasets/shapes.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "datasets/seeding.h"
#include "tensor/error.h"
#include "tensor/generator.h"

namespace camlab::datasets {
namespace {

enum Kind : int64_t { kCircle, kSquare, kTriangle, kCross, kKinds };

// Where one shape sits: its s x s square with top-left corner (x0, y0).
struct Placement {
  Kind kind;
  double x0, y0, s;
};

// Whether the pixel centred at (px, py) belongs to the shape.
bool covers(const Placement& p, double px, double py) {
  const double u = px - p.x0, v = py - p.y0;  // position inside the square
  if (u < 0 || v < 0 || u > p.s || v > p.s) return false;
  const double half = p.s / 2;
  switch (p.kind) {
    case kCircle: return (u - half) * (u - half) + (v - half) * (v - half) <= half * half;
    case kSquare: return true;
    case kTriangle: return std::abs(u - half) <= v / 2;  // apex at the top middle
    case kCross: {
      const double arm = std::max(1.0, p.s / 6);  // half the bar thickness: bars are s/3 wide
      return std::abs(u - half) <= arm || std::abs(v - half) <= arm;
    }
    default: return false;
  }
}

// Draws item `index` into its image [C, S, S] and mask [S, S]; returns its tight box.
std::array<float, 4> draw_item(const ShapesOptions& o, int64_t index, uint8_t* image,
                               uint8_t* mask) {
  Generator gen(derive_seed(derive_seed(o.seed, kSyntheticStream), static_cast<uint64_t>(index)));
  const int64_t size = o.size, plane = size * size;
  const auto side = static_cast<double>(gen.integer(size * 3 / 10, size * 6 / 10 + 1));
  const Placement p{static_cast<Kind>(index % kKinds),
                    static_cast<double>(gen.integer(0, size - static_cast<int64_t>(side) + 1)),
                    static_cast<double>(gen.integer(0, size - static_cast<int64_t>(side) + 1)),
                    side};
  double color[3];
  for (double& c : color) c = 0.6 + 0.4 * gen.uniform();
  int64_t bx0 = size, by0 = size, bx1 = 0, by1 = 0;
  for (int64_t y = 0; y < size; ++y) {
    for (int64_t x = 0; x < size; ++x) {
      const bool on = covers(p, static_cast<double>(x) + 0.5, static_cast<double>(y) + 0.5);
      mask[y * size + x] = on ? static_cast<uint8_t>(p.kind + 1) : 0;
      if (on) {
        bx0 = std::min(bx0, x), by0 = std::min(by0, y);
        bx1 = std::max(bx1, x + 1), by1 = std::max(by1, y + 1);
      }
      for (int64_t c = 0; c < o.channels; ++c) {
        const double noise = o.noise * gen.uniform();
        const double value = on ? std::min(1.0, color[c] + 0.5 * noise) : noise;
        image[c * plane + y * size + x] = static_cast<uint8_t>(std::lround(255 * value));
      }
    }
  }
  return {static_cast<float>(bx0), static_cast<float>(by0), static_cast<float>(bx1),
          static_cast<float>(by1)};
}

}  // namespace

const std::vector<std::string>& shapes_classes() {
  static const std::vector<std::string> names{"circle", "square", "triangle", "cross"};
  return names;
}

ImageDataset make_shapes(const ShapesOptions& o) {
  CAMLAB_CHECK(o.n >= 0 && o.size >= 8 && (o.channels == 1 || o.channels == 3) && o.noise >= 0 &&
                   o.noise <= 1,
               "shapes: n = {}, size = {}, channels = {}, noise = {}; valid: n >= 0, size >= 8, "
               "channels 1 or 3, noise in [0, 1]",
               o.n, o.size, o.channels, o.noise);
  const int64_t n = o.n, size = o.size, c = o.channels;
  ImageDataset d;
  d.name = "shapes";
  d.class_names = shapes_classes();
  d.images = Tensor::empty({n, c, size, size}, DType::UInt8);  // [N, C, S, S]
  d.labels = Tensor::empty({n}, DType::Int64);                 // [N]
  d.boxes = Tensor::empty({n, 1, 4}, DType::Float32);          // [N, 1, 4]
  d.masks = Tensor::empty({n, size, size}, DType::UInt8);      // [N, S, S]
  uint8_t* images = d.images.data<uint8_t>();
  uint8_t* masks = d.masks.data<uint8_t>();
  float* boxes = d.boxes.data<float>();
  int64_t* labels = d.labels.data<int64_t>();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const std::array<float, 4> box =
        draw_item(o, i, images + i * c * size * size, masks + i * size * size);
    std::copy(box.begin(), box.end(), boxes + i * 4);
    labels[i] = i % kKinds;
  }
  return d;
}

}  // namespace camlab::datasets
