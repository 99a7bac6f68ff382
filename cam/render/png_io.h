// PNG files for figures: RgbImage / GrayImage through datasets' PNG codec.
//
//   write_png("runs/x/explain.png", grid.render());            // 8-bit RGB
//   write_png("runs/x/mask.png", GrayImage{w, h, bytes});       // 8-bit greyscale
//   RgbImage back = read_png("runs/x/explain.png");
#pragma once

#include <filesystem>

#include "cam/render/image.h"

namespace camlab::render {

// Writes 8-bit RGB (or greyscale) PNG; a file that fails half-way is removed. Errors name the
// file and the reason.
void write_png(const std::filesystem::path& path, const RgbImage& image);
void write_png(const std::filesystem::path& path, const GrayImage& image);

// Reads any PNG as 8-bit RGB: grey is replicated to three channels, palettes expanded, alpha
// dropped (as PIL's convert("RGB")), 16-bit samples scaled to 8 bits (v * 255 / 65535, rounded).
RgbImage read_png(const std::filesystem::path& path);

}  // namespace camlab::render
