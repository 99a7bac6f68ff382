// The EXIF orientation of a JPEG, and the turn that shows the photo upright.
//
//   std::vector<uint8_t> jpeg = ...;                             // the whole file
//   int orientation = exif_orientation(jpeg.data(), jpeg.size()); // 1..8, 1 if absent
//   Image8 upright = apply_orientation(decoded, orientation);    // what PIL's exif_transpose shows
//
// Cameras store the sensor's pixels as read out and record in the APP1 Exif block's tag 0x0112
// how to turn them (EXIF 2.32, section 4.6.4, table 4): 1 upright, 2 mirrored, 3 rotated 180°,
// 4 flipped, 5 transposed, 6 rotated 90° clockwise to show, 7 transversed, 8 rotated 90°
// counter-clockwise to show.
#pragma once

#include <cstddef>
#include <cstdint>

#include "datasets/image8.h"

namespace camlab::datasets {

// Scans the JPEG markers up to the first scan for an APP1 "Exif" segment and reads IFD0's
// orientation tag. Every offset is bounds-checked: a missing, malformed or out-of-range tag (or
// any value outside 1..8) reads as 1, so a damaged Exif block never stops a photo from loading.
int exif_orientation(const uint8_t* jpeg, size_t size);

// The upright image for an orientation 1..8; 5..8 swap width and height.
Image8 apply_orientation(const Image8& image, int orientation);

}  // namespace camlab::datasets
