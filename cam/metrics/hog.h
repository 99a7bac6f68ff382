// Histograms of oriented gradients (Dalal & Triggs 2005) of a map, and the sanity checks'
// similarity of two maps: Pearson's r of their HOG descriptors (Adebayo et al. 2018's code).
//
//   std::vector<double> d = hog(map, {.cell = 8});      // map [H, W]; 9 bins per cell
//   double r = hog_similarity(map_a, map_b);            // in [−1, 1]
//   int64_t cell = hog_cell_for(28, 28);                // 7: 4x4 cells, 3x3 blocks
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam {

struct HogOptions {
  int64_t orientations = 9;  // unsigned bins over [0°, 180°), Dalal & Triggs' best
  int64_t cell = 8;          // pixels per square cell
  int64_t block = 2;         // cells per square block side (R-HOG 2x2)
};

// The descriptor, by the steps of scikit-image's hog(feature_vector=True, block_norm='L2-Hys'):
//   gradients: centred [−1, 0, 1] differences, 0 on the border rows/columns;
//   each cell: magnitudes summed into the bin of floor(θ / (180° / bins)), θ = atan2(gy, gx) mod
//   180°, divided by the cell's pixel count (only whole cells: a ragged edge is dropped);
//   each block (stride one cell): its cells' histograms concatenated, v / √(‖v‖² + ε²), values
//   clipped at 0.2, normalised again (ε = 1e-5).
// An Error names the map's shape when it holds fewer than `block` cells a side.
std::vector<double> hog(const Tensor& map, const HogOptions& options = {});

// pearson(hog(a), hog(b)); the maps must have one shape.
double hog_similarity(const Tensor& a, const Tensor& b, const HogOptions& options = {});

// The cell size the sanity checks use for an H x W map: 8 px as Dalal & Triggs, smaller for maps
// under 32 px a side, so that each side holds at least 4 cells (3x3 blocks of 2x2 cells).
int64_t hog_cell_for(int64_t height, int64_t width);

}  // namespace camlab::cam
