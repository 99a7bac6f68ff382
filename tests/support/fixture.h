// Read-only access to the PyTorch reference fixtures in tests/fixtures/*.h5.
//
//   camlab::test::Fixture f("conv2d.h5");              // found in CAMLAB_FIXTURE_DIR
//   for (const auto& c : f.cases()) {
//     Array x = f.array(c + "/x");                     // any numeric dataset, as double
//     std::vector<int64_t> stride = f.ints(c, "stride");
//   }
//
// The layout (one group per case, float32 inputs, float64 outputs and gradients, op parameters
// as group attributes) is written by tools/make_fixtures.py. Every error throws
// std::runtime_error naming the file and the path. Depends on the HDF5 C API only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::test {

// A dataset converted to double, row-major; shape {} is a scalar (one value).
struct Array {
  std::vector<int64_t> shape;
  std::vector<double> values;

  int64_t numel() const { return static_cast<int64_t>(values.size()); }
};

class Fixture {
 public:
  // `file` is a name inside CAMLAB_FIXTURE_DIR, or an absolute path.
  explicit Fixture(const std::string& file);
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  const std::string& path() const { return path_; }

  // Names of the groups under the root, sorted by name.
  std::vector<std::string> cases() const;

  // Dataset at `path` ("case/x"); integer and float data alike come back as double.
  Array array(const std::string& path) const;

  // Whether a dataset or group exists at `path`.
  bool has(const std::string& path) const;

  // Attribute `attr` of the group (or dataset) at `group`; "/" is the file's root.
  std::vector<int64_t> ints(const std::string& group, const std::string& attr) const;
  double number(const std::string& group, const std::string& attr) const;
  std::string text(const std::string& group, const std::string& attr) const;

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) const;

  std::string path_;
  int64_t file_ = -1;  // hid_t, kept out of this header so tests need not include hdf5.h
};

}  // namespace camlab::test
