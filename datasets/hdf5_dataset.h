// The camlab dataset schema in HDF5 (docs/formats.md, "Dataset"), read and written.
//
//   write_hdf5_dataset("shapes.h5", make_shapes({.n = 1000}));
//   ImageDataset d = read_hdf5_dataset("shapes.h5");   // validated: one-line Error if malformed
//
// Schema: /images uint8 or float32 [N, C, H, W]; /labels int64 [N] or multi-hot uint8 [N, K];
// optional /boxes float32 [N, M, 4] (x0, y0, x1, y1 pixels, rows of -1 pad) and /masks uint8
// [N, H, W] (0 background, k + 1 = class k); root attribute `classes` (strings). Files written by
// h5py with other integer/float widths are converted on read.
#pragma once

#include <string>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

ImageDataset read_hdf5_dataset(const std::string& path);

// Validates, then writes chunked and deflate-compressed to path + ".tmp" and renames, so an
// interrupted write never leaves a half-written file under the real name.
void write_hdf5_dataset(const std::string& path, const ImageDataset& dataset);

}  // namespace camlab::datasets
