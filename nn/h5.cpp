#include "nn/h5.h"

#include "nn/h5_bounds.h"
#include "tensor/claimed_size.h"
#include "tensor/graph_guard.h"

namespace camlab::nn::h5 {
namespace {

hid_t native_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return H5T_NATIVE_FLOAT;
    case DType::Float64: return H5T_NATIVE_DOUBLE;
    case DType::Int64: return H5T_NATIVE_INT64;
    case DType::UInt8: return H5T_NATIVE_UINT8;
    case DType::Bool: return H5T_NATIVE_UINT8;
  }
  return H5T_NATIVE_FLOAT;
}

// Little-endian on disk whatever the machine: files move between hosts.
hid_t file_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return H5T_IEEE_F32LE;
    case DType::Float64: return H5T_IEEE_F64LE;
    case DType::Int64: return H5T_STD_I64LE;
    default: return H5T_STD_U8LE;
  }
}

hid_t make_dataspace(const Shape& shape) {
  if (shape.empty()) return H5Screate(H5S_SCALAR);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
}

hid_t variable_string_type() {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

bool write_scalar_attribute(hid_t object, const std::string& name, hid_t stored, hid_t memory,
                            const void* value) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(H5Acreate2(object, name.c_str(), stored, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose);
  return attribute.ok() && H5Awrite(attribute.get(), memory, value) >= 0;
}

}  // namespace

hid_t create_ordered_group(hid_t parent, const std::string& name) {
  Handle properties(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  H5Pset_link_creation_order(properties.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  return H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT);
}

bool write_attribute(hid_t object, const std::string& name, const std::string& text) {
  Handle type(variable_string_type(), H5Tclose);
  const char* data = text.c_str();
  return write_scalar_attribute(object, name, type.get(), type.get(), &data);
}

bool write_attribute(hid_t object, const std::string& name, int64_t value) {
  return write_scalar_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

bool write_attribute(hid_t object, const std::string& name, double value) {
  return write_scalar_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t position = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &position, collect, &names);
  return names;
}

bool attribute_is_text(hid_t object, const std::string& name) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return false;
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  return H5Tget_class(type.get()) == H5T_STRING;
}

std::optional<std::string> read_text_attribute(hid_t object, const std::string& name) {
  if (H5Aexists(object, name.c_str()) <= 0) return std::nullopt;
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  if (!attribute.ok() || H5Tget_class(type.get()) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle memory(variable_string_type(), H5Tclose);
    char* data = nullptr;
    if (H5Aread(attribute.get(), memory.get(), &data) < 0 || data == nullptr) return std::nullopt;
    std::string text(data);
    H5free_memory(data);
    return text;
  }
  // Fixed-length (as some writers produce): read the bytes, drop trailing NULs.
  const size_t size = H5Tget_size(type.get());
  Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(memory.get(), size);
  std::string text(size, '\0');
  if (H5Aread(attribute.get(), memory.get(), text.data()) < 0) return std::nullopt;
  text.erase(text.find_last_not_of('\0') + 1);
  return text;
}

std::optional<double> read_number_attribute(hid_t object, const std::string& name) {
  if (H5Aexists(object, name.c_str()) <= 0) return std::nullopt;
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (!attribute.ok() || (cls != H5T_INTEGER && cls != H5T_FLOAT)) return std::nullopt;
  Handle space(H5Aget_space(attribute.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return std::nullopt;
  double value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) return std::nullopt;
  return value;
}

bool write_tensor(hid_t group, const std::string& name, const Tensor& tensor, DType file_dtype) {
  // Host, contiguous, in the stored dtype. Writing a parameter's values leaves its graph alone.
  const RawOpScope reads_only;
  const Tensor host = tensor.to(Device::cpu()).to(file_dtype).contiguous();
  Handle space(make_dataspace(host.shape()), H5Sclose);
  Handle dataset(H5Dcreate2(group, name.c_str(), file_type(file_dtype), space.get(), H5P_DEFAULT,
                            H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose);
  if (!dataset.ok()) return false;
  if (host.numel() == 0) return true;
  return H5Dwrite(dataset.get(), native_type(file_dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                  host.raw_data()) >= 0;
}

Tensor read_tensor(hid_t group, const std::string& name) {
  Handle dataset(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.ok()) return Tensor();
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return Tensor();
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  const Shape shape(dims.begin(), dims.end());

  DType dtype;
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_FLOAT) {
    dtype = H5Tget_size(type.get()) > 4 ? DType::Float64 : DType::Float32;
  } else if (cls == H5T_INTEGER) {
    const bool byte = H5Tget_size(type.get()) == 1 && H5Tget_sign(type.get()) == H5T_SGN_NONE;
    dtype = byte ? DType::UInt8 : DType::Int64;
  } else {
    return Tensor();
  }
  // A corrupt file may claim dims of 2^63: checked against what the dataset stores before the
  // buffer exists (tensor/claimed_size.h).
  check_claim_fits_file(checked_bytes(shape, H5Tget_size(type.get()), name),
                        H5Dget_storage_size(dataset.get()), name);
  check_stored_within_file(dataset.get(), name);  // h5_bounds.h: libhdf5 would read outside
  Tensor out = Tensor::empty(shape, dtype);
  if (out.numel() > 0 && H5Dread(dataset.get(), native_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                 out.raw_data()) < 0) {
    return Tensor();
  }
  return out;
}

std::optional<std::vector<std::string>> link_names(hid_t group) {
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) return std::nullopt;
  Handle properties(H5Gget_create_plist(group), H5Pclose);
  unsigned order_flags = 0;
  H5Pget_link_creation_order(properties.get(), &order_flags);
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_TRACKED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length =
        H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) return std::nullopt;
    std::string name(static_cast<size_t>(length) + 1, '\0');
    H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<size_t>(length));
    names.push_back(name);
  }
  return names;
}

}  // namespace camlab::nn::h5
