#include "datasets/png_io.h"

#include <png.h>

#include <cstring>
#include <filesystem>

#include "tensor/error.h"

namespace camlab::datasets {

PngImage read_png(const std::string& path) {
  CAMLAB_CHECK(std::filesystem::is_regular_file(path), "file {} not found", path);
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  CAMLAB_CHECK(png_image_begin_read_from_file(&image, path.c_str()) != 0,
               "file {} is not a readable PNG (libpng: {})", path, image.message);
  const bool color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  image.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  PngImage out;
  out.width = image.width;
  out.height = image.height;
  out.channels = color ? 3 : 1;
  // Zeroed: with a null background libpng composites alpha onto what the buffer holds (black).
  out.pixels.assign(PNG_IMAGE_SIZE(image), 0);
  if (png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr) == 0) {
    const std::string message = image.message;
    png_image_free(&image);
    fail("file {} is a damaged PNG (libpng: {})", path, message);
  }
  return out;
}

void write_png(const std::string& path, const PngImage& img) {
  CAMLAB_CHECK((img.channels == 1 || img.channels == 3) &&
                   img.pixels.size() == static_cast<size_t>(img.width * img.height * img.channels),
               "write_png {}: {}x{}x{} image with {} bytes; expected 1 or 3 channels and "
               "width * height * channels bytes",
               path, img.width, img.height, img.channels, img.pixels.size());
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(img.width);
  image.height = static_cast<png_uint_32>(img.height);
  image.format = img.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  CAMLAB_CHECK(png_image_write_to_file(&image, path.c_str(), 0, img.pixels.data(), 0, nullptr) != 0,
               "write_png {}: libpng failed ({})", path, image.message);
}

}  // namespace camlab::datasets
