// Tableau 10 ("tab10"), matplotlib's default color cycle: the one categorical palette for plot
// lines (PNG and SVG) and for class colors in masks.
//
//   Rgb line = category_color(3);            // {214, 39, 40}, red
//   std::string stroke = hex_color(line);    // "#d62728"
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "cam/render/image.h"

namespace camlab::render {

inline constexpr std::array<Rgb, 10> kTab10 = {{{31, 119, 180},
                                                {255, 127, 14},
                                                {44, 160, 44},
                                                {214, 39, 40},
                                                {148, 103, 189},
                                                {140, 86, 75},
                                                {227, 119, 194},
                                                {127, 127, 127},
                                                {188, 189, 34},
                                                {23, 190, 207}}};

// Colors cycle after ten categories.
inline Rgb category_color(int64_t index) {
  const auto n = static_cast<int64_t>(kTab10.size());
  return kTab10[static_cast<size_t>(((index % n) + n) % n)];
}

// "#rrggbb", as SVG and HTML write colors.
inline std::string hex_color(Rgb color) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "#";
  for (const uint8_t channel : color) {
    out += kDigits[channel >> 4];
    out += kDigits[channel & 15];
  }
  return out;
}

}  // namespace camlab::render
