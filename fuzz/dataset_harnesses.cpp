// Harnesses for the dataset readers: IDX (plain and gzip), CIFAR-10 binary, HDF5, PNG, and the
// photo reader (JPEG with its EXIF orientation, or PNG, told by the first bytes).
#include "datasets/cifar.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/idx.h"
#include "datasets/image_file.h"
#include "datasets/png_io.h"
#include "fuzz/harness.h"

using namespace camlab;
using namespace camlab::fuzz;

namespace {

// Both IDX readers on one file: its magic number decides which one gets past the header.
void read_idx_both(const std::string& path) {
  expect_success_or_error([&] { datasets::read_idx_images(path); });
  expect_success_or_error([&] { datasets::read_idx_labels(path); });
}

}  // namespace

extern "C" int camlab_fuzz_idx(const uint8_t* data, size_t size) {
  read_idx_both(scratch_file(data, size, ".idx"));
  return 0;
}

// The same bytes under a .gz name: zlib inflates them when they start with gzip's magic (seeds
// are gzipped IDX files), so corrupt deflate streams and gzip bombs are explored too.
extern "C" int camlab_fuzz_idx_gzip(const uint8_t* data, size_t size) {
  read_idx_both(scratch_file(data, size, ".idx.gz"));
  return 0;
}

extern "C" int camlab_fuzz_cifar(const uint8_t* data, size_t size) {
  const std::string path = scratch_file(data, size, ".bin");
  expect_success_or_error([&] { datasets::read_cifar_batch(path); });
  return 0;
}

extern "C" int camlab_fuzz_hdf5_dataset(const uint8_t* data, size_t size) {
  const std::string path = scratch_file(data, size, ".h5");
  expect_success_or_error([&] { datasets::read_hdf5_dataset(path); });
  return 0;
}

extern "C" int camlab_fuzz_png(const uint8_t* data, size_t size) {
  const std::string path = scratch_file(data, size, ".png");
  expect_success_or_error([&] { datasets::read_png(path); });
  return 0;
}

extern "C" int camlab_fuzz_image(const uint8_t* data, size_t size) {
  const std::string path = scratch_file(data, size, ".jpg");
  expect_success_or_error([&] { datasets::read_image(path); });
  return 0;
}
