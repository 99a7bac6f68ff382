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

#include "nn/h5_handle.h"
#include "tensor/tensor.h"

namespace camlab::nn::h5 {

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
