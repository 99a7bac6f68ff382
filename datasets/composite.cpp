#include "datasets/composite.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

#include "datasets/seeding.h"
#include "tensor/error.h"
#include "tensor/generator.h"

namespace camlab::datasets {
namespace {

constexpr uint64_t kCompositeStream = 0x434f'4d50'4f53'4954ull;  // "COMPOSIT"
constexpr uint64_t kTextureStream = 0x5445'5854'5552'4544ull;    // "TEXTURED"
constexpr int kPlacementTries = 20;  // a later item: positions tried to keep it apart
constexpr int64_t kNoiseCell = 8;    // smooth noise: one random value per 8 px, bilinear between
constexpr double kTileShare = 0.6;   // of texture_level: the brightest tile pixel (noise: the rest)

// One base item resized for the canvas: pixels [C, h, w] and its tight box within them.
struct Sprite {
  int64_t height = 0, width = 0;
  std::vector<uint8_t> pixels;             // [C, h, w]
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // non-zero pixels lie in [x0, x1) x [y0, y1)
};

// Bilinear resize with half-pixel centres (PyTorch's align_corners = False) of src [C, h, w].
Sprite resize_item(const uint8_t* src, int64_t channels, int64_t h, int64_t w, int64_t th,
                   int64_t tw) {
  Sprite s{.height = th, .width = tw, .pixels = std::vector<uint8_t>(channels * th * tw)};
  const double sy = static_cast<double>(h) / th, sx = static_cast<double>(w) / tw;
  for (int64_t y = 0; y < th; ++y) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, static_cast<double>(h - 1));
    const auto ya = static_cast<int64_t>(fy);
    const int64_t yb = std::min(ya + 1, h - 1);
    const double wy = fy - ya;
    for (int64_t x = 0; x < tw; ++x) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, static_cast<double>(w - 1));
      const auto xa = static_cast<int64_t>(fx);
      const int64_t xb = std::min(xa + 1, w - 1);
      const double wx = fx - xa;
      for (int64_t c = 0; c < channels; ++c) {
        const uint8_t* p = src + c * h * w;
        const double v = (1 - wy) * ((1 - wx) * p[ya * w + xa] + wx * p[ya * w + xb]) +
                         wy * ((1 - wx) * p[yb * w + xa] + wx * p[yb * w + xb]);
        s.pixels[(c * th + y) * tw + x] = static_cast<uint8_t>(std::lround(v));
      }
    }
  }
  return s;
}

bool sprite_on(const Sprite& s, int64_t channels, int64_t x, int64_t y) {
  for (int64_t c = 0; c < channels; ++c) {
    if (s.pixels[(c * s.height + y) * s.width + x] > 0) return true;
  }
  return false;
}

void find_box(Sprite& s, int64_t channels) {
  s.x0 = s.width, s.y0 = s.height, s.x1 = 0, s.y1 = 0;
  for (int64_t y = 0; y < s.height; ++y) {
    for (int64_t x = 0; x < s.width; ++x) {
      if (!sprite_on(s, channels, x, y)) continue;
      s.x0 = std::min(s.x0, x), s.y0 = std::min(s.y0, y);
      s.x1 = std::max(s.x1, x + 1), s.y1 = std::max(s.y1, y + 1);
    }
  }
}

struct Placed {
  int64_t base_index = 0;
  int64_t label = 0;
  Sprite sprite;
  int64_t left = 0, top = 0;  // canvas position of the sprite's top-left pixel

  std::array<int64_t, 4> box() const {
    return {left + sprite.x0, top + sprite.y0, left + sprite.x1, top + sprite.y1};
  }
};

// The smallest box holding both.
std::array<int64_t, 4> union_box(const std::array<int64_t, 4>& a, const std::array<int64_t, 4>& b) {
  return {std::min(a[0], b[0]), std::min(a[1], b[1]), std::max(a[2], b[2]), std::max(a[3], b[3])};
}

// Area of the intersection of two boxes over the smaller box's area.
double overlap(const std::array<int64_t, 4>& a, const std::array<int64_t, 4>& b) {
  const int64_t w = std::min(a[2], b[2]) - std::max(a[0], b[0]);
  const int64_t h = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const int64_t smaller = std::min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]));
  return static_cast<double>(w * h) / static_cast<double>(std::max<int64_t>(smaller, 1));
}

class ItemMaker {
 public:
  ItemMaker(const ImageDataset& base, const CompositeOptions& o)
      : o_(o),
        images_(base.images.contiguous()),
        labels_(base.labels.contiguous()),
        count_(base.size()),
        channels_(base.channels()),
        height_(base.height()),
        width_(base.width()) {}

  int64_t channels() const { return channels_; }

  struct Drawn {
    std::vector<Placed> items;        // the targets, in class order
    std::vector<Placed> distractors;  // textured only: non-target items of other classes
  };

  // Draws canvas `index` into image [C, S, S] and mask [S, S].
  Drawn draw(int64_t index, uint8_t* image, uint8_t* mask) const {
    Generator gen(
        derive_seed(derive_seed(o_.seed, kCompositeStream), static_cast<uint64_t>(index)));
    Generator texture_gen(
        derive_seed(derive_seed(o_.seed, kTextureStream), static_cast<uint64_t>(index)));
    const int64_t side = o_.canvas;
    std::fill(image, image + channels_ * side * side, uint8_t{0});
    std::fill(mask, mask + side * side, uint8_t{0});
    const bool textured = o_.background == Background::textured;
    if (textured) draw_texture(texture_gen, image);
    for (int64_t k = 0; k < o_.clutter; ++k) draw_fragment(gen, image, o_.clutter_level);

    Drawn d;
    d.items.push_back(place(gen, pick(gen, {}), {}));
    if (o_.objects == 2) {
      d.items.push_back(place(gen, pick(gen, {d.items[0].label}), d.items[0].box()));
    }
    if (textured) {
      std::vector<int64_t> targets;
      std::array<int64_t, 4> taken = d.items[0].box();
      for (const Placed& item : d.items) {
        targets.push_back(item.label), taken = union_box(taken, item.box());
      }
      for (int64_t k = 0; k < o_.distractors; ++k) {
        d.distractors.push_back(place(texture_gen, pick(texture_gen, targets), taken));
        paste(d.distractors.back(), image, nullptr, o_.distractor_level);
      }
    }
    for (const Placed& item : d.items) paste(item, image, mask, 1.0);  // later items win overlaps
    std::sort(d.items.begin(), d.items.end(),
              [](const Placed& a, const Placed& b) { return a.label < b.label; });
    return d;
  }

 private:
  const int64_t* labels() const { return labels_.data<int64_t>(); }
  const uint8_t* item_pixels(int64_t i) const {
    return images_.data<uint8_t>() + i * channels_ * height_ * width_;
  }

  // A base item whose class is none of `excluded`.
  int64_t pick(Generator& gen, const std::vector<int64_t>& excluded) const {
    for (;;) {
      const int64_t i = gen.integer(0, count_);
      if (std::find(excluded.begin(), excluded.end(), labels()[i]) == excluded.end()) return i;
    }
  }

  Sprite scaled(Generator& gen, int64_t i) const {
    const double s = o_.scale_min + (o_.scale_max - o_.scale_min) * gen.uniform();
    auto side = [&](int64_t n) {
      return std::clamp<int64_t>(std::lround(static_cast<double>(n) * s), 1, o_.canvas);
    };
    Sprite sprite =
        resize_item(item_pixels(i), channels_, height_, width_, side(height_), side(width_));
    find_box(sprite, channels_);
    return sprite;
  }

  // Chooses a position; with `avoid` set, the one of several tries overlapping it least.
  Placed place(Generator& gen, int64_t i, std::optional<std::array<int64_t, 4>> avoid) const {
    Placed p{.base_index = i, .label = labels()[i], .sprite = scaled(gen, i)};
    p.left = gen.integer(0, o_.canvas - p.sprite.width + 1);
    p.top = gen.integer(0, o_.canvas - p.sprite.height + 1);
    if (!avoid) return p;
    double best = overlap(p.box(), *avoid);
    for (int t = 1; t < kPlacementTries && best > 0; ++t) {
      Placed q{.sprite = {},
               .left = gen.integer(0, o_.canvas - p.sprite.width + 1),
               .top = gen.integer(0, o_.canvas - p.sprite.height + 1)};
      q.sprite.x0 = p.sprite.x0, q.sprite.y0 = p.sprite.y0;
      q.sprite.x1 = p.sprite.x1, q.sprite.y1 = p.sprite.y1;
      const double o = overlap(q.box(), *avoid);
      if (o < best) best = o, p.left = q.left, p.top = q.top;
    }
    return p;
  }

  // Draws the item's non-zero pixels times `level` over the canvas; marks them in `mask` unless it
  // is null (a distractor is no target).
  void paste(const Placed& item, uint8_t* image, uint8_t* mask, double level) const {
    const int64_t side = o_.canvas;
    const Sprite& s = item.sprite;
    for (int64_t y = 0; y < s.height; ++y) {
      for (int64_t x = 0; x < s.width; ++x) {
        if (!sprite_on(s, channels_, x, y)) continue;
        const int64_t at = (item.top + y) * side + item.left + x;
        for (int64_t c = 0; c < channels_; ++c) {
          const double v = level * s.pixels[(c * s.height + y) * s.width + x];
          image[c * side * side + at] = static_cast<uint8_t>(std::lround(v));
        }
        if (mask != nullptr) mask[at] = static_cast<uint8_t>(item.label + 1);
      }
    }
  }

  // A square piece (a third to a half of the item's side) of a random item, dimmed, drawn where it
  // lands by maximum so fragments never darken each other.
  void draw_fragment(Generator& gen, uint8_t* image, double level) const {
    const int64_t side = o_.canvas;
    const int64_t i = gen.integer(0, count_);
    const int64_t size = gen.integer(std::max<int64_t>(1, height_ / 3), height_ / 2 + 1);
    const int64_t sy = gen.integer(0, height_ - size + 1), sx = gen.integer(0, width_ - size + 1);
    const int64_t top = gen.integer(0, side - size + 1), left = gen.integer(0, side - size + 1);
    const uint8_t* src = item_pixels(i);
    for (int64_t c = 0; c < channels_; ++c) {
      for (int64_t y = 0; y < size; ++y) {
        for (int64_t x = 0; x < size; ++x) {
          const double v = level * src[(c * height_ + sy + y) * width_ + sx + x];
          uint8_t& out = image[c * side * side + (top + y) * side + left + x];
          out = std::max(out, static_cast<uint8_t>(std::lround(v)));
        }
      }
    }
  }

  // Textured background: tiles (up to kTileShare·texture_level) plus smooth noise (up to the
  // rest), each pixel capped at texture_level·255 so that the contrast bound holds exactly.
  void draw_texture(Generator& gen, uint8_t* image) const {
    const int64_t side = o_.canvas;
    for (int64_t k = 0; k < o_.tiles; ++k) draw_fragment(gen, image, kTileShare * o_.texture_level);
    const double amplitude = (1 - kTileShare) * o_.texture_level * 255;
    const int64_t cells = side / kNoiseCell + 2;  // grid corners cover the canvas
    std::vector<double> grid(cells * cells);      // [cells, cells]
    for (double& v : grid) v = amplitude * gen.uniform();
    const double ceiling = std::floor(o_.texture_level * 255);
    for (int64_t y = 0; y < side; ++y) {
      const double fy = static_cast<double>(y) / kNoiseCell, wy = fy - std::floor(fy);
      const auto gy = static_cast<int64_t>(fy);
      for (int64_t x = 0; x < side; ++x) {
        const double fx = static_cast<double>(x) / kNoiseCell, wx = fx - std::floor(fx);
        const auto gx = static_cast<int64_t>(fx);
        const double noise =
            (1 - wy) * ((1 - wx) * grid[gy * cells + gx] + wx * grid[gy * cells + gx + 1]) +
            wy * ((1 - wx) * grid[(gy + 1) * cells + gx] + wx * grid[(gy + 1) * cells + gx + 1]);
        for (int64_t c = 0; c < channels_; ++c) {
          uint8_t& out = image[(c * side + y) * side + x];
          out = static_cast<uint8_t>(std::min(ceiling, std::round(out + noise)));
        }
      }
    }
  }

  CompositeOptions o_;
  Tensor images_;  // uint8 [M, C, h, w]
  Tensor labels_;  // int64 [M]
  int64_t count_, channels_, height_, width_;
};

void check_options(const ImageDataset& base, const CompositeOptions& o) {
  CAMLAB_CHECK(base.size() > 0 && base.images.dtype() == DType::UInt8 && base.labels.defined() &&
                   base.labels.dim() == 1,
               "composite: the base dataset '{}' needs uint8 images and one int64 label per item "
               "(got {} images {}, labels {})",
               base.name, base.size(), dtype_name(base.images.dtype()),
               base.labels.defined() ? shape_str(base.labels.shape()) : "none");
  CAMLAB_CHECK(o.n >= 0, "composite: --n {} is negative; give the number of canvases", o.n);
  CAMLAB_CHECK(o.objects == 1 || o.objects == 2, "composite: --objects {}; valid: 1 or 2",
               o.objects);
  CAMLAB_CHECK(o.scale_min > 0 && o.scale_min <= o.scale_max,
               "composite: --scale {}:{}; valid: 0 < min <= max", o.scale_min, o.scale_max);
  const double largest = o.scale_max * static_cast<double>(std::max(base.height(), base.width()));
  CAMLAB_CHECK(std::lround(largest) <= o.canvas,
               "composite: --canvas {} is smaller than the largest scaled item ({:.0f} px = {} x "
               "{}); use --canvas >= {:.0f} or a smaller --scale",
               o.canvas, largest, o.scale_max, std::max(base.height(), base.width()), largest);
  CAMLAB_CHECK(o.clutter >= 0 && o.clutter_level >= 0 && o.clutter_level <= 1,
               "composite: --clutter {} at level {}; valid: clutter >= 0, level in [0, 1]",
               o.clutter, o.clutter_level);
  CAMLAB_CHECK(o.texture_level >= 0 && o.texture_level <= 1 && o.tiles >= 0 && o.distractors >= 0 &&
                   o.distractor_level >= 0 && o.distractor_level <= 1,
               "composite: texture level {}, {} tiles, {} distractors at level {}; valid: levels "
               "in [0, 1], counts >= 0",
               o.texture_level, o.tiles, o.distractors, o.distractor_level);
  const Tensor labels = base.labels.contiguous();  // [M]
  const int64_t* l = labels.data<int64_t>();
  const bool distracted = o.background == Background::textured && o.distractors > 0;
  const auto classes = static_cast<int64_t>(std::set<int64_t>(l, l + base.size()).size());
  const int64_t needed = o.objects + (distracted ? 1 : 0);
  CAMLAB_CHECK(classes >= needed,
               "composite: --objects {} needs {} different classes{}, but '{}' has {}", o.objects,
               needed, distracted ? " (distractors are of another class)" : "", base.name, classes);
}

void write_box(const Placed& item, float* out) {
  const std::array<int64_t, 4> box = item.box();
  for (int k = 0; k < 4; ++k) out[k] = static_cast<float>(box[k]);
}

}  // namespace

Background parse_background(const std::string& name) {
  if (name == "black") return Background::black;
  if (name == "textured") return Background::textured;
  throw Error(fmt::format("composite: --background '{}'; valid: black, textured", name));
}

ImageDataset make_composite(const ImageDataset& base, const CompositeOptions& o) {
  check_options(base, o);
  const ItemMaker maker(base, o);
  const int64_t n = o.n, side = o.canvas, c = maker.channels();
  const int64_t classes = base.num_classes();
  ImageDataset d;
  d.name = "composite";
  d.class_names = base.class_names;
  d.images = Tensor::empty({n, c, side, side}, DType::UInt8);             // [N, C, S, S]
  d.masks = Tensor::empty({n, side, side}, DType::UInt8);                 // [N, S, S]
  d.boxes = Tensor::empty({n, o.objects, 4}, DType::Float32);             // [N, M, 4]
  d.labels = o.objects == 1 ? Tensor::empty({n}, DType::Int64)            // [N]
                            : Tensor::empty({n, classes}, DType::UInt8);  // [N, K]
  uint8_t* images = d.images.data<uint8_t>();
  uint8_t* masks = d.masks.data<uint8_t>();
  float* boxes = d.boxes.data<float>();
  const int64_t distractors = o.background == Background::textured ? o.distractors : 0;
  float* distractor_boxes = nullptr;
  if (distractors > 0) {
    d.distractor_boxes = Tensor::empty({n, distractors, 4}, DType::Float32);  // [N, D, 4]
    distractor_boxes = d.distractor_boxes.data<float>();
  }
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t i = 0; i < n; ++i) {
    const ItemMaker::Drawn drawn =
        maker.draw(i, images + i * c * side * side, masks + i * side * side);
    const std::vector<Placed>& items = drawn.items;
    for (size_t j = 0; j < items.size(); ++j) write_box(items[j], boxes + (i * o.objects + j) * 4);
    for (size_t j = 0; j < drawn.distractors.size(); ++j) {
      write_box(drawn.distractors[j], distractor_boxes + (i * distractors + j) * 4);
    }
    if (o.objects == 1) {
      d.labels.data<int64_t>()[i] = items[0].label;
    } else {
      uint8_t* row = d.labels.data<uint8_t>() + i * classes;
      std::fill(row, row + classes, uint8_t{0});
      for (const Placed& item : items) row[item.label] = 1;
    }
  }
  return d;
}

}  // namespace camlab::datasets
