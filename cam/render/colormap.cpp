#include "cam/render/colormap.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "cam/render/colormap_tables.h"
#include "tensor/error.h"

namespace camlab::render {
namespace {

using Table = const float (*)[3];

Table table_of(Colormap cmap) {
  switch (cmap) {
    case Colormap::Jet: return detail::kJet;
    case Colormap::Viridis: return detail::kViridis;
    case Colormap::Inferno: return detail::kInferno;
    case Colormap::Turbo: return detail::kTurbo;
    case Colormap::Gray: return detail::kGray;
  }
  fail("colormap: invalid Colormap value {}", static_cast<int>(cmap));
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string valid_names() {
  std::string names;
  for (Colormap cmap : kColormaps) {
    names += names.empty() ? "" : ", ";
    names += colormap_name(cmap);
  }
  return names;
}

uint8_t to_byte(double unit) {
  return static_cast<uint8_t>(std::lround(std::clamp(unit, 0.0, 1.0) * 255.0));
}

}  // namespace

std::string_view colormap_name(Colormap cmap) {
  switch (cmap) {
    case Colormap::Jet: return "jet";
    case Colormap::Viridis: return "viridis";
    case Colormap::Inferno: return "inferno";
    case Colormap::Turbo: return "turbo";
    case Colormap::Gray: return "gray";
  }
  return "?";
}

Colormap parse_colormap(std::string_view name) {
  for (Colormap cmap : kColormaps) {
    if (equal_ignoring_case(name, colormap_name(cmap))) {
      return cmap;
    }
  }
  fail("colormap: unknown name '{}'; valid names are {}", name, valid_names());
}

std::array<uint8_t, 3> colormap_rgb(Colormap cmap, double t) {
  CAMLAB_CHECK(!std::isnan(t), "colormap_rgb: t is NaN; expected a value in [0, 1] ({})",
               colormap_name(cmap));
  Table table = table_of(cmap);
  constexpr int kLast = detail::kColormapEntries - 1;
  double position = std::clamp(t, 0.0, 1.0) * kLast;
  int below = std::min(static_cast<int>(position), kLast - 1);
  double frac = position - below;  // 1 exactly at t = 1
  std::array<uint8_t, 3> rgb{};
  for (int c = 0; c < 3; ++c) {
    rgb[c] = to_byte(table[below][c] * (1.0 - frac) + table[below + 1][c] * frac);
  }
  return rgb;
}

}  // namespace camlab::render
