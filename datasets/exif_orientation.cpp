#include "datasets/exif_orientation.h"

#include <cstring>

#include "tensor/error.h"

namespace camlab::datasets {
namespace {

// A bounds-checked view of the TIFF structure inside the Exif segment: a read that would pass
// the end returns false.
struct TiffReader {
  const uint8_t* data;
  size_t size;
  bool little_endian;

  bool read16(size_t at, uint16_t* out) const {
    if (at > size || size - at < 2) return false;
    *out = little_endian ? static_cast<uint16_t>(data[at] | data[at + 1] << 8)
                         : static_cast<uint16_t>(data[at] << 8 | data[at + 1]);
    return true;
  }
  bool read32(size_t at, uint32_t* out) const {
    uint16_t a = 0, b = 0;
    if (!read16(at, &a) || !read16(at + 2, &b)) return false;
    *out = little_endian ? (uint32_t{b} << 16 | a) : (uint32_t{a} << 16 | b);
    return true;
  }
};

// TIFF header ("II*\0" or "MM\0*", then the offset of IFD0), then IFD0's 12-byte entries:
// tag, type, count, value. Orientation is tag 0x0112, type SHORT (3), count 1.
int orientation_in_tiff(const uint8_t* tiff, size_t size) {
  if (size < 8) return 1;
  TiffReader r{tiff, size, tiff[0] == 'I'};
  if (!(tiff[0] == 'I' && tiff[1] == 'I') && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
  uint16_t magic = 0, entries = 0;
  uint32_t ifd0 = 0;
  if (!r.read16(2, &magic) || magic != 42 || !r.read32(4, &ifd0) || !r.read16(ifd0, &entries)) {
    return 1;
  }
  for (uint32_t i = 0; i < entries; ++i) {
    const size_t entry = size_t{ifd0} + 2 + size_t{i} * 12;
    uint16_t tag = 0, type = 0, value = 0;
    if (!r.read16(entry, &tag) || !r.read16(entry + 2, &type)) return 1;
    if (tag != 0x0112) continue;
    if (type != 3 || !r.read16(entry + 8, &value)) return 1;
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

}  // namespace

int exif_orientation(const uint8_t* jpeg, size_t size) {
  if (size < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return 1;
  size_t at = 2;
  // Each segment: 0xFF, marker, a big-endian length that counts itself but not the marker.
  while (at + 4 <= size && jpeg[at] == 0xFF) {
    const uint8_t marker = jpeg[at + 1];
    if (marker == 0xDA || marker == 0xD9) break;  // start of scan / end of image: no more headers
    const size_t length = size_t{jpeg[at + 2]} << 8 | jpeg[at + 3];
    if (length < 2 || length > size - at - 2) break;
    const uint8_t* body = jpeg + at + 4;
    const size_t body_size = length - 2;
    if (marker == 0xE1 && body_size >= 6 && std::memcmp(body, "Exif\0\0", 6) == 0) {
      return orientation_in_tiff(body + 6, body_size - 6);
    }
    at += 2 + length;
  }
  return 1;
}

Image8 apply_orientation(const Image8& image, int orientation) {
  CAMLAB_CHECK(orientation >= 1 && orientation <= 8, "EXIF orientation {} is not 1..8",
               orientation);
  if (orientation == 1) return image;
  const int64_t w = image.width, h = image.height, c = image.channels;
  const bool swaps = orientation >= 5;
  Image8 out{swaps ? h : w, swaps ? w : h, c, std::vector<uint8_t>(image.pixels.size())};
  for (int64_t y = 0; y < out.height; ++y) {
    for (int64_t x = 0; x < out.width; ++x) {
      // The stored pixel that appears at (x, y) once the photo is shown upright.
      int64_t sx = x, sy = y;
      switch (orientation) {
        case 2: sx = w - 1 - x; break;
        case 3: sx = w - 1 - x, sy = h - 1 - y; break;
        case 4: sy = h - 1 - y; break;
        case 5: sx = y, sy = x; break;
        case 6: sx = y, sy = h - 1 - x; break;
        case 7: sx = w - 1 - y, sy = h - 1 - x; break;
        default: sx = w - 1 - y, sy = x; break;  // 8
      }
      std::memcpy(&out.pixels[(y * out.width + x) * c], &image.pixels[(sy * w + sx) * c], c);
    }
  }
  return out;
}

}  // namespace camlab::datasets
