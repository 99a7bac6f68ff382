#include "experiments/explain/explanations_file.h"

#include <hdf5.h>

#include <vector>

#include "tensor/error.h"

namespace camlab::experiments {
namespace {

// Closes an HDF5 handle when it leaves scope.
struct H5Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Id() {
    if (id >= 0) close(id);
  }
};

void write_tensor(hid_t file, const std::string& path, const Tensor& tensor) {
  const bool integral = tensor.dtype() == DType::Int64;
  Tensor host = tensor.to(Device::cpu()).to(integral ? DType::Int64 : DType::Float32).contiguous();
  std::vector<hsize_t> dims(host.shape().begin(), host.shape().end());
  H5Id space{H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose};
  H5Id links{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(links.id, 1);
  hid_t type = integral ? H5T_NATIVE_INT64 : H5T_NATIVE_FLOAT;
  H5Id data{H5Dcreate2(file, path.c_str(), type, space.id, links.id, H5P_DEFAULT, H5P_DEFAULT),
            H5Dclose};
  CAMLAB_CHECK(
      data.id >= 0 && H5Dwrite(data.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, host.raw_data()) >= 0,
      "explanations file: could not write dataset {}", path);
}

Tensor read_tensor(hid_t file, const std::string& path, const std::filesystem::path& name) {
  H5Id data{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  CAMLAB_CHECK(data.id >= 0, "{}: dataset {} is missing", name.string(), path);
  H5Id space{H5Dget_space(data.id), H5Sclose};
  std::vector<hsize_t> dims(static_cast<size_t>(H5Sget_simple_extent_ndims(space.id)));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  H5Id type{H5Dget_type(data.id), H5Tclose};
  const bool integral = H5Tget_class(type.id) == H5T_INTEGER;
  Tensor out =
      Tensor::empty(Shape(dims.begin(), dims.end()), integral ? DType::Int64 : DType::Float32);
  CAMLAB_CHECK(H5Dread(data.id, integral ? H5T_NATIVE_INT64 : H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                       H5P_DEFAULT, out.raw_data()) >= 0,
               "{}: could not read {}", name.string(), path);
  return out;
}

std::vector<std::string> group_members(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  if (H5Lexists(file, group.c_str(), H5P_DEFAULT) <= 0) return names;
  H5Id g{H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose};
  hsize_t count = 0;
  H5Gget_num_objs(g.id, &count);
  for (hsize_t i = 0; i < count; ++i) {
    char buffer[256];
    H5Gget_objname_by_idx(g.id, i, buffer, sizeof(buffer));
    names.emplace_back(buffer);
  }
  return names;
}

}  // namespace

void write_explanations(const std::filesystem::path& path, const ExplanationsFile& file) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    H5Id h5{H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
    CAMLAB_CHECK(h5.id >= 0, "cannot create explanations file {}", tmp.string());
    write_tensor(h5.id, "/inputs", file.inputs);
    write_tensor(h5.id, "/logits", file.logits);
    write_tensor(h5.id, "/targets", file.targets);
    write_tensor(h5.id, "/indices", file.indices);
    for (const auto& [method, maps] : file.maps) write_tensor(h5.id, "/maps/" + method, maps);
    for (const auto& [method, raw] : file.raw) write_tensor(h5.id, "/raw/" + method, raw);
    H5Id type{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(type.id, std::max<size_t>(file.layer.size(), 1));
    H5Id scalar{H5Screate(H5S_SCALAR), H5Sclose};
    H5Id attr{H5Acreate2(h5.id, "layer", type.id, scalar.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
    std::string layer = file.layer.empty() ? std::string(1, '\0') : file.layer;
    H5Awrite(attr.id, type.id, layer.data());
    H5Fflush(h5.id, H5F_SCOPE_GLOBAL);
  }
  std::filesystem::rename(tmp, path);
}

ExplanationsFile read_explanations(const std::filesystem::path& path) {
  H5Id h5{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  CAMLAB_CHECK(h5.id >= 0, "cannot open explanations file {} (missing or not HDF5)", path.string());
  ExplanationsFile file;
  file.inputs = read_tensor(h5.id, "/inputs", path);
  file.logits = read_tensor(h5.id, "/logits", path);
  file.targets = read_tensor(h5.id, "/targets", path);
  file.indices = read_tensor(h5.id, "/indices", path);
  for (const std::string& m : group_members(h5.id, "/maps")) {
    file.maps[m] = read_tensor(h5.id, "/maps/" + m, path);
  }
  for (const std::string& m : group_members(h5.id, "/raw")) {
    file.raw[m] = read_tensor(h5.id, "/raw/" + m, path);
  }
  if (H5Aexists(h5.id, "layer") > 0) {
    H5Id attr{H5Aopen(h5.id, "layer", H5P_DEFAULT), H5Aclose};
    H5Id type{H5Aget_type(attr.id), H5Tclose};
    std::string layer(H5Tget_size(type.id), '\0');
    H5Aread(attr.id, type.id, layer.data());
    file.layer = layer.c_str();
  }
  return file;
}

}  // namespace camlab::experiments
