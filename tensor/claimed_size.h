// Sizes that a file claims, checked against what the file can hold before anything is allocated.
//
//   uint64_t bytes = checked_bytes({n, c, h, w}, 1, "shapes.h5: /images");   // Error on overflow
//   check_claim_fits_file(bytes, H5Dget_storage_size(dataset), "shapes.h5: /images");
//   // "shapes.h5: /images claims 1000000000000 bytes but stores 4096 ..." — nothing allocated
//
// A header is a promise the reader cannot trust: a 100-byte file may say it holds 10^12 images.
// Data that is really there takes at least claimed / 1032 bytes, deflate's best ratio (zlib's
// technical notes: 258-byte matches coded in 2 bits each), so a larger claim is a corrupt file.
#pragma once

#include <cstdint>
#include <string_view>

#include "tensor/shape.h"

namespace camlab {

// deflate (zlib, gzip, PNG, HDF5's filter) never shrinks data by more than this factor.
constexpr uint64_t kMaxDeflateRatio = 1032;

// numel(shape) * element_bytes; an Error naming `what` when the product passes 2^64.
uint64_t checked_bytes(const Shape& shape, uint64_t element_bytes, std::string_view what);

// An Error naming `what` when `claimed` bytes cannot come out of `stored` bytes of file (raw or
// deflate-compressed). Claims up to 1 MiB always pass: small headers and fill values stay legal.
void check_claim_fits_file(uint64_t claimed, uint64_t stored, std::string_view what);

}  // namespace camlab
