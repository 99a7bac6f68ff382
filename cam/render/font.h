// A built-in 5x7 bitmap font (plus 2 descender rows) for printable ASCII (32..126), drawn pixel
// by pixel for camlab.
//
//   RgbImage canvas = RgbImage::filled(200, 40, kWhite);
//   draw_text(canvas, 4, 4, "Sneaker 0.97", kBlack, 2);   // top-left corner at (4, 4)
//   int64_t w = text_width("Sneaker 0.97", 2);            // (12 * 6 - 1) * 2 = 142
//   int64_t h = text_height("true: Shirt\npred: T-shirt 0.81", 2);   // (11 + 9) * 2 = 40
#pragma once

#include <cstdint>
#include <string_view>

#include "cam/render/image.h"

namespace camlab::render {

inline constexpr int64_t kGlyphWidth = 5;
inline constexpr int64_t kCapHeight = 7;     // capitals and digits: rows 0-6
inline constexpr int64_t kGlyphRows = 9;     // plus rows 7-8 for the descenders of g, j, p, q, y
inline constexpr int64_t kGlyphAdvance = 6;  // one blank column between glyphs
inline constexpr int64_t kLineAdvance = 11;  // two blank rows between lines

// Width and height of the text's box at `scale` (each font pixel becomes scale x scale): the
// widest line's glyphs, and every line's rows including descenders. '\n' starts a new line;
// empty text is 0 x 0.
int64_t text_width(std::string_view text, int64_t scale = 1);
int64_t text_height(std::string_view text, int64_t scale = 1);

// Draws with the text box's top-left at (x, y), clipped to the image. Characters outside
// 32..126 are drawn as '?'.
void draw_text(RgbImage& image, int64_t x, int64_t y, std::string_view text, Rgb color,
               int64_t scale = 1);

}  // namespace camlab::render
