// Colormaps for heatmaps: matplotlib's real 256-entry tables, linearly interpolated.
//
//   Colormap cmap = parse_colormap("viridis");
//   std::array<uint8_t, 3> low = colormap_rgb(cmap, 0.0);    // {68, 1, 84}
//   std::array<uint8_t, 3> high = colormap_rgb(cmap, 1.0);   // {253, 231, 37}
//   std::string_view name = colormap_name(Colormap::Jet);     // "jet"
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace camlab::render {

// The tables are generated from matplotlib by tools/make_colormaps.py (colormap_tables.cpp).
enum class Colormap { Jet, Viridis, Inferno, Turbo, Gray };

inline constexpr std::array<Colormap, 5> kColormaps = {
    Colormap::Jet, Colormap::Viridis, Colormap::Inferno, Colormap::Turbo, Colormap::Gray};

// "jet", "viridis", "inferno", "turbo", "gray" (case-insensitive); anything else is an Error
// listing those names.
Colormap parse_colormap(std::string_view name);
std::string_view colormap_name(Colormap cmap);

// The colour at t in [0, 1] (clamped): entry k of the table sits at t = k / 255 and colours in
// between are interpolated linearly, then rounded to bytes. NaN is an Error.
std::array<uint8_t, 3> colormap_rgb(Colormap cmap, double t);

}  // namespace camlab::render
