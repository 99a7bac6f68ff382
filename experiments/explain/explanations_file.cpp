#include "experiments/explain/explanations_file.h"

#include <hdf5.h>

#include <vector>

#include "nn/h5_memory_file.h"
#include "nn/h5_probe.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace {

using nn::h5::Handle;

void write_tensor(hid_t file, const std::string& path, const Tensor& tensor) {
  const bool integral = tensor.dtype() == DType::Int64;
  Tensor host = tensor.to(Device::cpu()).to(integral ? DType::Int64 : DType::Float32).contiguous();
  std::vector<hsize_t> dims(host.shape().begin(), host.shape().end());
  Handle space{H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose};
  Handle links{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(links.get(), 1);
  hid_t type = integral ? H5T_NATIVE_INT64 : H5T_NATIVE_FLOAT;
  Handle data{
      H5Dcreate2(file, path.c_str(), type, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose};
  CAMLAB_CHECK(
      data.ok() && H5Dwrite(data.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, host.raw_data()) >= 0,
      "explanations file: could not write dataset {}", path);
}

Tensor read_tensor(hid_t file, const std::string& path, const std::filesystem::path& name) {
  Handle data{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  CAMLAB_CHECK(data.ok(), "{}: dataset {} is missing", name.string(), path);
  Handle space{H5Dget_space(data.get()), H5Sclose};
  std::vector<hsize_t> dims(static_cast<size_t>(H5Sget_simple_extent_ndims(space.get())));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Handle type{H5Dget_type(data.get()), H5Tclose};
  const bool integral = H5Tget_class(type.get()) == H5T_INTEGER;
  Tensor out =
      Tensor::empty(Shape(dims.begin(), dims.end()), integral ? DType::Int64 : DType::Float32);
  CAMLAB_CHECK(H5Dread(data.get(), integral ? H5T_NATIVE_INT64 : H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                       H5P_DEFAULT, out.raw_data()) >= 0,
               "{}: could not read {}", name.string(), path);
  return out;
}

std::vector<std::string> group_members(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  if (H5Lexists(file, group.c_str(), H5P_DEFAULT) <= 0) return names;
  Handle g{H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose};
  hsize_t count = 0;
  H5Gget_num_objs(g.get(), &count);
  for (hsize_t i = 0; i < count; ++i) {
    char buffer[256];
    H5Gget_objname_by_idx(g.get(), i, buffer, sizeof(buffer));
    names.emplace_back(buffer);
  }
  return names;
}

// The CAM layer's name as a fixed-length string attribute (an empty name is stored as one NUL).
void write_layer_attribute(hid_t h5, const std::filesystem::path& path, const std::string& layer) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.get(), std::max<size_t>(layer.size(), 1));
  Handle scalar{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(h5, "layer", type.get(), scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose};
  const std::string stored = layer.empty() ? std::string(1, '\0') : layer;
  CAMLAB_CHECK(attr.ok() && H5Awrite(attr.get(), type.get(), stored.data()) >= 0,
               "explanations file '{}': cannot write the attribute 'layer'", path.string());
}

}  // namespace

void write_explanations(const std::filesystem::path& path, const ExplanationsFile& file) {
  nn::h5::QuietErrors quiet;
  nn::h5::MemoryFile h5("explanations file", path);  // h5_memory_file.h: why not libhdf5's writes
  write_tensor(h5.get(), "/inputs", file.inputs);
  write_tensor(h5.get(), "/logits", file.logits);
  write_tensor(h5.get(), "/targets", file.targets);
  write_tensor(h5.get(), "/indices", file.indices);
  for (const auto& [method, maps] : file.maps) write_tensor(h5.get(), "/maps/" + method, maps);
  for (const auto& [method, raw] : file.raw) write_tensor(h5.get(), "/raw/" + method, raw);
  for (const auto& [key, classes] : file.classes) {
    write_tensor(h5.get(), "/classes/" + key, classes);
  }
  write_layer_attribute(h5.get(), path, file.layer);
  h5.save();  // <path>.tmp, fsync, rename
}

ExplanationsFile read_explanations(const std::filesystem::path& path) {
  if (std::filesystem::is_regular_file(path)) {
    nn::h5::probe_in_child("explanations file " + path.string(), path);  // nn/h5_probe.h
  }
  Handle h5{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  CAMLAB_CHECK(h5.ok(), "cannot open explanations file {} (missing or not HDF5)", path.string());
  ExplanationsFile file;
  file.inputs = read_tensor(h5.get(), "/inputs", path);
  file.logits = read_tensor(h5.get(), "/logits", path);
  file.targets = read_tensor(h5.get(), "/targets", path);
  file.indices = read_tensor(h5.get(), "/indices", path);
  for (const std::string& m : group_members(h5.get(), "/maps")) {
    file.maps[m] = read_tensor(h5.get(), "/maps/" + m, path);
  }
  for (const std::string& m : group_members(h5.get(), "/raw")) {
    file.raw[m] = read_tensor(h5.get(), "/raw/" + m, path);
  }
  for (const std::string& key : group_members(h5.get(), "/classes")) {
    file.classes[key] = read_tensor(h5.get(), "/classes/" + key, path);
  }
  if (H5Aexists(h5.get(), "layer") > 0) {
    Handle attr{H5Aopen(h5.get(), "layer", H5P_DEFAULT), H5Aclose};
    Handle type{H5Aget_type(attr.get()), H5Tclose};
    std::string layer(H5Tget_size(type.get()), '\0');
    H5Aread(attr.get(), type.get(), layer.data());
    file.layer = layer.c_str();
  }
  return file;
}

}  // namespace camlab::experiments
