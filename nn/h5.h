// Internal to nn/: the small slice of the HDF5 C API that checkpoints use, with handles that close
// themselves. Not installed for other modules (camlab::hdf5 is a private dependency of camlab_nn).
//
//   h5::QuietErrors quiet;                                     // one-line Errors, no HDF5 stack
//   h5::Handle file(H5Fcreate(...), H5Fclose);
//   h5::write_tensor(file.get(), "weight", w, DType::Float32);
//   Tensor back = h5::read_tensor(file.get(), "weight");
#pragma once

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::nn::h5 {

// Closes an identifier when it leaves scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  // Closes now; returns false when HDF5 reports an error (e.g. a failed final write).
  bool close() {
    const bool ok = id_ < 0 || close_(id_) >= 0;
    id_ = -1;
    return ok;
  }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Silences HDF5's error-stack printing for a scope; restores the previous handler.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// A group whose links remember their creation order (so names read back in the order written).
hid_t create_ordered_group(hid_t parent, const std::string& name);

// Root or group attributes. Each returns false on failure; the caller reports it.
bool write_attribute(hid_t object, const std::string& name, const std::string& text);
bool write_attribute(hid_t object, const std::string& name, int64_t value);
bool write_attribute(hid_t object, const std::string& name, double value);
std::vector<std::string> attribute_names(hid_t object);
std::optional<std::string> read_text_attribute(hid_t object, const std::string& name);
std::optional<double> read_number_attribute(hid_t object, const std::string& name);
bool attribute_is_text(hid_t object, const std::string& name);

// A dataset from a host or device tensor, converted to file_dtype (Float32, Float64 or Int64).
bool write_tensor(hid_t group, const std::string& name, const Tensor& tensor, DType file_dtype);
// The dataset as stored (float32/64, int64, uint8); undefined on failure, Error if dims overclaim.
Tensor read_tensor(hid_t group, const std::string& name);
// Link names in creation order when tracked, else by name.
std::optional<std::vector<std::string>> link_names(hid_t group);

}  // namespace camlab::nn::h5
