#include "datasets/jpeg_io.h"

#include <turbojpeg.h>

#include <fstream>
#include <iterator>

#include "datasets/exif_orientation.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

struct Decompressor {
  tjhandle handle = tjInitDecompress();
  ~Decompressor() {
    if (handle != nullptr) tjDestroy(handle);
  }
};

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CAMLAB_CHECK(in.good(), "read_jpeg: cannot open '{}'", path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

Image8 read_jpeg(const std::string& path) {
  const std::vector<uint8_t> bytes = read_bytes(path);
  CAMLAB_CHECK(bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF,
               "read_jpeg: '{}' is not a JPEG file (it does not start with FF D8 FF)", path);
  Decompressor tj;
  CAMLAB_CHECK(tj.handle != nullptr, "read_jpeg: '{}': {}", path, tjGetErrorStr2(nullptr));
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  CAMLAB_CHECK(tjDecompressHeader3(tj.handle, bytes.data(), bytes.size(), &width, &height,
                                   &subsampling, &colorspace) == 0,
               "read_jpeg: '{}' has a damaged header ({})", path, tjGetErrorStr2(tj.handle));
  check_image_size(path, width, height);
  CAMLAB_CHECK(colorspace != TJCS_CMYK && colorspace != TJCS_YCCK,
               "read_jpeg: '{}' is a CMYK JPEG; convert it to RGB first", path);
  const bool grey = colorspace == TJCS_GRAY;
  Image8 image{width, height, grey ? 1 : 3, {}};
  image.pixels.resize(static_cast<size_t>(image.width * image.height * image.channels));
  // [H, W, C]; pitch 0 = width * channels.
  if (tjDecompress2(tj.handle, bytes.data(), bytes.size(), image.pixels.data(), width, 0, height,
                    grey ? TJPF_GRAY : TJPF_RGB, TJFLAG_STOPONWARNING) != 0) {
    fail("read_jpeg: '{}' is truncated or corrupt ({})", path, tjGetErrorStr2(tj.handle));
  }
  return apply_orientation(image, exif_orientation(bytes.data(), bytes.size()));
}

}  // namespace camlab::datasets
