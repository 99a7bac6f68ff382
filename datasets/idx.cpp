#include "datasets/idx.h"

#include <cstdint>
#include <cstring>

#include "datasets/file_bytes.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void append_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// The header's dims after checking the magic number; `bytes` holds the whole file.
Shape read_header(const std::vector<uint8_t>& bytes, const std::string& path, uint32_t magic,
                  const char* what) {
  const size_t ndim = magic & 0xFF;
  const size_t header = 4 * (1 + ndim);
  CAMLAB_CHECK(bytes.size() >= 4, "file {} is truncated: {} bytes, too short for an IDX header",
               path, bytes.size());
  const uint32_t got = read_be32(bytes.data());
  CAMLAB_CHECK(got == magic,
               "file {} is not an IDX {} file: magic number 0x{:08X}, expected 0x{:08X} "
               "(unsigned bytes, {} dims){}",
               path, what, got, magic, ndim,
               got == (magic == kIdxImagesMagic ? kIdxLabelsMagic : kIdxImagesMagic)
                   ? " — images and labels files swapped?"
                   : "");
  CAMLAB_CHECK(bytes.size() >= header,
               "file {} is truncated: {} bytes, but its IDX header needs {} bytes", path,
               bytes.size(), header);
  Shape dims;
  for (size_t d = 0; d < ndim; ++d) dims.push_back(read_be32(bytes.data() + 4 * (1 + d)));
  return dims;
}

// Checks that exactly `expected` payload bytes follow the header.
void check_payload(const std::vector<uint8_t>& bytes, size_t header, size_t expected,
                   const std::string& path, const char* what) {
  const size_t got = bytes.size() - header;
  CAMLAB_CHECK(got >= expected, "file {} is truncated: expected {} bytes of {} data, got {}", path,
               expected, what, got);
  CAMLAB_CHECK(got == expected,
               "file {} has {} bytes after its {} data; expected exactly {} bytes as the header "
               "says",
               path, got - expected, what, expected);
}

}  // namespace

Tensor read_idx_images(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  Shape dims = read_header(bytes, path, kIdxImagesMagic, "images");
  const int64_t n = dims[0], h = dims[1], w = dims[2];
  CAMLAB_CHECK(h > 0 && w > 0, "file {}: images of {}x{} pixels; expected positive sizes", path, h,
               w);
  // Each dim is a u32, so count x rows x cols can pass 2^64: checked, and compared with what the
  // file holds before anything is allocated.
  uint64_t expected = 0;
  CAMLAB_CHECK(
      !__builtin_mul_overflow(static_cast<uint64_t>(n), static_cast<uint64_t>(h), &expected) &&
          !__builtin_mul_overflow(expected, static_cast<uint64_t>(w), &expected),
      "file {}: its header claims {} images of {}x{} pixels, more than 2^64 bytes; the "
      "header is corrupt",
      path, n, h, w);
  check_payload(bytes, 16, expected, path, "pixel");
  return Tensor::from_buffer(bytes.data() + 16, {n, 1, h, w}, DType::UInt8);  // [N, 1, H, W]
}

Tensor read_idx_labels(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  const int64_t n = read_header(bytes, path, kIdxLabelsMagic, "labels")[0];
  check_payload(bytes, 8, static_cast<size_t>(n), path, "label");
  Tensor labels = Tensor::empty({n}, DType::Int64);  // [N]
  int64_t* out = labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) out[i] = bytes[8 + i];
  return labels;
}

void write_idx_images(const std::string& path, const Tensor& images) {
  const bool nchw = images.dim() == 4 && images.size(1) == 1;
  CAMLAB_CHECK(images.dtype() == DType::UInt8 && (nchw || images.dim() == 3),
               "write_idx_images {}: images are {} {}; expected uint8 [N, 1, H, W] or [N, H, W]",
               path, dtype_name(images.dtype()), shape_str(images.shape()));
  Tensor x = images.contiguous();
  std::vector<uint8_t> bytes;
  append_be32(bytes, kIdxImagesMagic);
  for (int64_t d : {int64_t{0}, x.dim() - 2, x.dim() - 1}) {
    append_be32(bytes, static_cast<uint32_t>(x.size(d)));
  }
  const uint8_t* p = x.data<uint8_t>();
  bytes.insert(bytes.end(), p, p + x.numel());
  write_file_bytes(path, bytes);
}

void write_idx_labels(const std::string& path, const Tensor& labels) {
  CAMLAB_CHECK(labels.dtype() == DType::Int64 && labels.dim() == 1,
               "write_idx_labels {}: labels are {} {}; expected int64 [N]", path,
               dtype_name(labels.dtype()), shape_str(labels.shape()));
  Tensor y = labels.contiguous();
  std::vector<uint8_t> bytes;
  append_be32(bytes, kIdxLabelsMagic);
  append_be32(bytes, static_cast<uint32_t>(y.numel()));
  const int64_t* p = y.data<int64_t>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    CAMLAB_CHECK(p[i] >= 0 && p[i] <= 255,
                 "write_idx_labels {}: label {} at {} does not fit an unsigned byte (0..255)", path,
                 p[i], i);
    bytes.push_back(static_cast<uint8_t>(p[i]));
  }
  write_file_bytes(path, bytes);
}

ImageDataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                           std::vector<std::string> class_names, std::string name) {
  ImageDataset d;
  d.name = std::move(name);
  d.images = read_idx_images(images_path);
  d.labels = read_idx_labels(labels_path);
  CAMLAB_CHECK(d.images.size(0) == d.labels.size(0),
               "{}: {} has {} images but {} has {} labels; expected one label per image", d.name,
               images_path, d.images.size(0), labels_path, d.labels.size(0));
  d.class_names = std::move(class_names);
  d.validate(images_path);
  return d;
}

}  // namespace camlab::datasets
