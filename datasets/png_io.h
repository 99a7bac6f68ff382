// 8-bit PNG files through libpng's simplified API (libpng 1.6).
//
//   PngImage img = read_png("cat/001.png");       // gray -> 1 channel, RGB/RGBA -> 3 channels
//   img.pixels[(y * img.width + x) * img.channels + c];
//   write_png("out.png", img);                     // 1 or 3 channels
//
// Alpha is composited onto black (fully opaque pixels keep their exact values); 16-bit and
// palette images are converted to 8-bit gray or RGB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::datasets {

struct PngImage {
  int64_t width = 0, height = 0, channels = 0;  // channels: 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;                  // [H, W, C] interleaved, row-major
};

PngImage read_png(const std::string& path);
void write_png(const std::string& path, const PngImage& image);

}  // namespace camlab::datasets
