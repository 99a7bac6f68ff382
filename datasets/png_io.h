// PNG files through libpng: the one PNG codec, for datasets, photos and figures alike.
//
//   Image8 img = read_png("cat/001.png");        // grey -> 1 channel, RGB/RGBA -> 3 channels
//   img.pixels[(y * img.width + x) * img.channels + c];
//   write_png("out.png", img);                    // 1 or 3 channels
//
// Reading follows PIL's convert("RGB") / convert("L"), which torchvision's loaders use: alpha is
// dropped (not composited), palettes are expanded, 1/2/4-bit grey becomes 8-bit and 16-bit
// samples are scaled to 8 bits (v * 255 / 65535, rounded). No gamma correction is applied.
#pragma once

#include <string>

#include "datasets/image8.h"

namespace camlab::datasets {

// The header's size is checked against kMaxImagePixels before any pixel buffer is allocated.
Image8 read_png(const std::string& path);
// A file that fails half-way is removed. Errors name the file and the reason.
void write_png(const std::string& path, const Image8& image);

}  // namespace camlab::datasets
