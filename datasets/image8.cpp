#include "datasets/image8.h"

#include "tensor/error.h"

namespace camlab::datasets {

void check_image_size(const std::string& path, int64_t width, int64_t height) {
  CAMLAB_CHECK(width > 0 && height > 0, "image {}: its header says {}x{} pixels; not an image",
               path, width, height);
  CAMLAB_CHECK(width <= kMaxImagePixels / height,
               "image {}: {}x{} pixels is over the limit of {} pixels (16384 x 16384); the file "
               "is corrupt or must be downscaled first",
               path, width, height, kMaxImagePixels);
}

Image8 with_channels(const Image8& image, int64_t channels) {
  CAMLAB_CHECK((image.channels == 1 || image.channels == 3) && (channels == 1 || channels == 3),
               "with_channels: {} -> {} channels; only 1 (grey) and 3 (RGB) exist", image.channels,
               channels);
  if (image.channels == channels) return image;
  const int64_t count = image.width * image.height;
  Image8 out{image.width, image.height, channels, std::vector<uint8_t>(count * channels)};
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t* from = &image.pixels[i * image.channels];
    if (channels == 3) {
      out.pixels[i * 3] = out.pixels[i * 3 + 1] = out.pixels[i * 3 + 2] = from[0];
    } else {
      // PIL's fixed-point form of 0.299 R + 0.587 G + 0.114 B (Convert.c, L24): weights
      // scaled by 2^16, rounded by adding 2^15.
      out.pixels[i] =
          static_cast<uint8_t>((from[0] * 19595 + from[1] * 38470 + from[2] * 7471 + 0x8000) >> 16);
    }
  }
  return out;
}

}  // namespace camlab::datasets
