#include "cam/render/png_io.h"

#include "datasets/png_io.h"

namespace camlab::render {

void write_png(const std::filesystem::path& path, const RgbImage& image) {
  datasets::write_png(path.string(), {image.width, image.height, 3, image.pixels});
}

void write_png(const std::filesystem::path& path, const GrayImage& image) {
  datasets::write_png(path.string(), {image.width, image.height, 1, image.pixels});
}

RgbImage read_png(const std::filesystem::path& path) {
  datasets::Image8 rgb = datasets::with_channels(datasets::read_png(path.string()), 3);
  return {rgb.width, rgb.height, std::move(rgb.pixels)};
}

}  // namespace camlab::render
