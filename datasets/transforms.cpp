// The four transforms of transform.h. Each draws its numbers first, then moves pixels.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "datasets/transform.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

// Per-channel mean and standard deviation of the dataset, pixels scaled to [0, 1] as the
// DataLoader feeds them.
void channel_statistics(const ImageDataset& d, std::vector<double>& mean,
                        std::vector<double>& stddev) {
  const int64_t n = d.size(), c = d.channels(), plane = d.height() * d.width();
  CAMLAB_CHECK(n > 0, "normalize: cannot compute mean/std of the empty dataset '{}'", d.name);
  Tensor x = d.images.contiguous();
  const double scale = x.dtype() == DType::UInt8 ? 1.0 / 255.0 : 1.0;
  mean.assign(static_cast<size_t>(c), 0.0);
  stddev.assign(static_cast<size_t>(c), 0.0);
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0, sum_sq = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t base = (i * c + ch) * plane;
      for (int64_t k = 0; k < plane; ++k) {
        const double v = scale * (x.dtype() == DType::UInt8 ? x.data<uint8_t>()[base + k]
                                                            : x.data<float>()[base + k]);
        sum += v;
        sum_sq += v * v;
      }
    }
    const auto count = static_cast<double>(n * plane);
    mean[ch] = sum / count;
    stddev[ch] = std::sqrt(std::max(0.0, sum_sq / count - mean[ch] * mean[ch]));
  }
}

class Normalize final : public Transform {
 public:
  Normalize(std::vector<double> mean, std::vector<double> stddev)
      : mean_(std::move(mean)), std_(std::move(stddev)), given_(!mean_.empty()) {
    CAMLAB_CHECK(mean_.size() == std_.size(),
                 "normalize: {} means but {} standard deviations; give one of each per channel",
                 mean_.size(), std_.size());
    for (double s : std_) {
      CAMLAB_CHECK(s > 0, "normalize: standard deviation {} must be > 0", s);
    }
  }
  void fit(const ImageDataset& d) override {
    if (!mean_.empty()) return;  // given, or fitted already (on the training set)
    channel_statistics(d, mean_, std_);
    for (double& s : std_) s = std::max(s, 1e-6);  // a constant channel would divide by zero
  }
  void apply(ImageView im, Generator&) const override {
    CAMLAB_CHECK(!mean_.empty(),
                 "normalize: no mean/std; give them (normalize:MEAN:STD) or fit() the pipeline "
                 "on the training set first");
    const auto channels = static_cast<int64_t>(mean_.size());
    CAMLAB_CHECK(channels == 1 || channels == im.channels,
                 "normalize: {} mean/std values for an image with {} channels; give one value for "
                 "all channels or one per channel",
                 channels, im.channels);
    const int64_t plane = im.height * im.width;
    for (int64_t c = 0; c < im.channels; ++c) {
      const auto m = static_cast<float>(mean_[channels == 1 ? 0 : c]);
      const auto inv = static_cast<float>(1.0 / std_[channels == 1 ? 0 : c]);
      float* channel = im.data + c * plane;
      for (int64_t k = 0; k < plane; ++k) channel[k] = (channel[k] - m) * inv;
    }
  }
  bool is_random() const override { return false; }
  std::string str() const override {
    if (!given_) return "normalize";
    return fmt::format("normalize:{}:{}", fmt::join(mean_, ","), fmt::join(std_, ","));
  }

 private:
  std::vector<double> mean_, std_;
  bool given_;
};

class RandomCrop final : public Transform {
 public:
  explicit RandomCrop(int64_t padding) : padding_(padding) {
    CAMLAB_CHECK(padding >= 0, "random_crop: padding {} must be >= 0", padding);
  }
  void apply(ImageView im, Generator& gen) const override {
    // The window's corner in the padded image is (ox, oy) in [0, 2p]; as a shift of the content:
    const int64_t dx = gen.integer(0, 2 * padding_ + 1) - padding_;
    const int64_t dy = gen.integer(0, 2 * padding_ + 1) - padding_;
    if (dx == 0 && dy == 0) return;
    const int64_t h = im.height, w = im.width, plane = h * w;
    std::vector<float> out(static_cast<size_t>(im.channels * plane), 0.0f);  // [C, H, W]
    for (int64_t c = 0; c < im.channels; ++c) {
      for (int64_t y = 0; y < h; ++y) {
        const int64_t sy = y + dy;
        if (sy < 0 || sy >= h) continue;
        for (int64_t x = 0; x < w; ++x) {
          const int64_t sx = x + dx;
          if (sx >= 0 && sx < w) out[c * plane + y * w + x] = im.data[c * plane + sy * w + sx];
        }
      }
    }
    std::copy(out.begin(), out.end(), im.data);
  }
  bool is_random() const override { return true; }
  std::string str() const override { return fmt::format("random_crop:{}", padding_); }

 private:
  int64_t padding_;
};

class HorizontalFlip final : public Transform {
 public:
  explicit HorizontalFlip(double p) : p_(p) {
    CAMLAB_CHECK(p >= 0 && p <= 1, "hflip: probability {} must be in [0, 1]", p);
  }
  void apply(ImageView im, Generator& gen) const override {
    if (gen.uniform() >= p_) return;
    for (int64_t row = 0; row < im.channels * im.height; ++row) {
      std::reverse(im.data + row * im.width, im.data + (row + 1) * im.width);
    }
  }
  bool is_random() const override { return true; }
  std::string str() const override { return fmt::format("hflip:{}", p_); }

 private:
  double p_;
};

class RandomAffine final : public Transform {
 public:
  RandomAffine(double degrees, double translate, double scale)
      : degrees_(degrees), translate_(translate), scale_(scale) {
    CAMLAB_CHECK(degrees >= 0 && degrees <= 180 && translate >= 0 && translate < 1 && scale >= 0 &&
                     scale < 1,
                 "random_affine: degrees {}, translate {}, scale {}; valid: degrees in [0, 180], "
                 "translate and scale in [0, 1)",
                 degrees, translate, scale);
  }
  void apply(ImageView im, Generator& gen) const override {
    const double angle = (2 * gen.uniform() - 1) * degrees_ * std::numbers::pi / 180;
    const double tx = (2 * gen.uniform() - 1) * translate_ * static_cast<double>(im.width);
    const double ty = (2 * gen.uniform() - 1) * translate_ * static_cast<double>(im.height);
    const double s = 1 + (2 * gen.uniform() - 1) * scale_;
    const int64_t h = im.height, w = im.width, plane = h * w;
    const double cx = static_cast<double>(w - 1) / 2, cy = static_cast<double>(h - 1) / 2;
    const double cos_a = std::cos(angle), sin_a = std::sin(angle);
    std::vector<float> out(static_cast<size_t>(im.channels * plane), 0.0f);  // [C, H, W]
    for (int64_t y = 0; y < h; ++y) {
      for (int64_t x = 0; x < w; ++x) {
        // Inverse map: source = R(-angle) · (dst - centre - t) / s + centre.
        const double u = (static_cast<double>(x) - cx - tx) / s;
        const double v = (static_cast<double>(y) - cy - ty) / s;
        const double sx = cos_a * u + sin_a * v + cx, sy = -sin_a * u + cos_a * v + cy;
        const auto x0 = static_cast<int64_t>(std::floor(sx));
        const auto y0 = static_cast<int64_t>(std::floor(sy));
        const double fx = sx - static_cast<double>(x0), fy = sy - static_cast<double>(y0);
        for (int64_t c = 0; c < im.channels; ++c) {
          const float* src = im.data + c * plane;
          auto at = [&](int64_t yy, int64_t xx) -> double {
            return yy >= 0 && yy < h && xx >= 0 && xx < w ? src[yy * w + xx] : 0.0;
          };
          const double value = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
                               fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
          out[c * plane + y * w + x] = static_cast<float>(value);
        }
      }
    }
    std::copy(out.begin(), out.end(), im.data);
  }
  bool is_random() const override { return true; }
  std::string str() const override {
    return fmt::format("random_affine:{},{},{}", degrees_, translate_, scale_);
  }

 private:
  double degrees_, translate_, scale_;
};

}  // namespace

std::shared_ptr<Transform> normalize(std::vector<double> mean, std::vector<double> stddev) {
  return std::make_shared<Normalize>(std::move(mean), std::move(stddev));
}
std::shared_ptr<Transform> random_crop(int64_t padding) {
  return std::make_shared<RandomCrop>(padding);
}
std::shared_ptr<Transform> horizontal_flip(double p) { return std::make_shared<HorizontalFlip>(p); }
std::shared_ptr<Transform> random_affine(double degrees, double translate, double scale) {
  return std::make_shared<RandomAffine>(degrees, translate, scale);
}

}  // namespace camlab::datasets
