// An 8-bit image as decoded from a JPEG or PNG file: interleaved grey or RGB bytes.
//
//   Image8 photo = read_image("cat.jpg");                  // datasets/image_file.h
//   photo.pixels[(y * photo.width + x) * photo.channels + c];
//   Image8 rgb = with_channels(photo, 3);                   // grey replicated, as PIL's "RGB"
//   check_image_size("big.png", 100000, 100000);            // an Error: over kMaxImagePixels
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::datasets {

struct Image8 {
  int64_t width = 0, height = 0, channels = 0;  // channels: 1 (grey) or 3 (RGB)
  std::vector<uint8_t> pixels;                  // [H, W, C] interleaved, row-major
};

// The largest image a decoder accepts: 2^28 pixels (16384 x 16384, 768 MiB as RGB bytes). The
// decoders read the header first and stop here, before allocating, so a corrupt or hostile
// 100000 x 100000 header costs nothing.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

// An Error naming `path` when width or height is not positive or width * height exceeds
// kMaxImagePixels.
void check_image_size(const std::string& path, int64_t width, int64_t height);

// 1 -> 3 replicates the grey plane (PIL's convert("RGB")); 3 -> 1 is ITU-R 601-2 luma,
// L = 0.299 R + 0.587 G + 0.114 B in PIL's fixed point (convert("L")). Same count: a copy.
Image8 with_channels(const Image8& image, int64_t channels);

}  // namespace camlab::datasets
