#include "datasets/hdf5_dataset.h"

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <vector>

#include "nn/h5_bounds.h"
#include "nn/h5_memory_file.h"
#include "nn/h5_probe.h"
#include "tensor/claimed_size.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

constexpr const char* kSchema =
    "a camlab dataset holds /images [N, C, H, W] uint8 or float32, /labels int64 [N] or uint8 "
    "[N, K], optional /boxes float32 [N, M, 4], /masks uint8 [N, H, W] and /distractor_boxes "
    "float32 "
    "[N, D, 4] (non-target items)";

hid_t memory_type(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return H5T_NATIVE_UINT8;
    case DType::Int64: return H5T_NATIVE_INT64;
    case DType::Float32: return H5T_NATIVE_FLOAT;
    default: fail("hdf5 dataset: dtype {} is not part of the schema", dtype_name(dtype));
  }
}

hid_t file_type(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return H5T_STD_U8LE;
    case DType::Int64: return H5T_STD_I64LE;
    case DType::Float32: return H5T_IEEE_F32LE;
    default: fail("hdf5 dataset: dtype {} is not part of the schema", dtype_name(dtype));
  }
}

// ---- reading ----

// What a stored dataset holds, before choosing the dtype to read it as.
struct Stored {
  Shape shape;
  H5T_class_t type_class;
  size_t type_size;
};

Stored describe(hid_t dataset) {
  nn::h5::Handle space(H5Dget_space(dataset), H5Sclose);
  nn::h5::Handle type(H5Dget_type(dataset), H5Tclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {Shape(dims.begin(), dims.end()), H5Tget_class(type.get()), H5Tget_size(type.get())};
}

std::string_view class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_ENUM: return "enum";
    case H5T_COMPOUND: return "compound";
    default: return "non-numeric";
  }
}

// Reads `key` as `dtype` (HDF5 converts widths); undefined Tensor when absent and optional.
Tensor read_array(hid_t file, const std::string& path, const char* key, DType dtype,
                  bool required) {
  if (H5Lexists(file, key, H5P_DEFAULT) <= 0) {
    CAMLAB_CHECK(!required, "file {}: {} is missing; {}", path, key, kSchema);
    return Tensor();
  }
  nn::h5::Handle dataset(H5Dopen2(file, key, H5P_DEFAULT), H5Dclose);
  CAMLAB_CHECK(dataset.ok(), "file {}: {} is not a dataset; {}", path, key, kSchema);
  const Stored stored = describe(dataset.get());
  const bool numeric = stored.type_class == H5T_INTEGER || stored.type_class == H5T_FLOAT;
  const bool wanted = dtype == DType::Float32 ? numeric : stored.type_class == H5T_INTEGER;
  CAMLAB_CHECK(wanted, "file {}: {} holds {} values; expected {}", path, key,
               class_name(stored.type_class), dtype_name(dtype));
  // Dims are u64 on disk: a corrupt file may claim 10^12 images. Checked against the bytes the
  // dataset stores before the buffer exists (tensor/claimed_size.h).
  const std::string what = fmt::format("file {}: {}", path, key);
  check_claim_fits_file(checked_bytes(stored.shape, stored.type_size, what),
                        H5Dget_storage_size(dataset.get()), what);
  nn::h5::check_stored_within_file(dataset.get(), what);
  Tensor out = Tensor::empty(stored.shape, dtype);
  if (out.numel() > 0) {
    const herr_t status =
        H5Dread(dataset.get(), memory_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.raw_data());
    CAMLAB_CHECK(status >= 0, "file {}: reading {} {} as {} failed (corrupt file?)", path, key,
                 shape_str(stored.shape), dtype_name(dtype));
  }
  return out;
}

// /images as uint8 when stored as 1-byte integers, else float32.
Tensor read_images(hid_t file, const std::string& path) {
  CAMLAB_CHECK(H5Lexists(file, "/images", H5P_DEFAULT) > 0, "file {}: /images is missing; {}", path,
               kSchema);
  nn::h5::Handle dataset(H5Dopen2(file, "/images", H5P_DEFAULT), H5Dclose);
  CAMLAB_CHECK(dataset.ok(), "file {}: /images is not a dataset; {}", path, kSchema);
  const Stored stored = describe(dataset.get());
  const bool bytes = stored.type_class == H5T_INTEGER && stored.type_size == 1;
  CAMLAB_CHECK(bytes || stored.type_class == H5T_FLOAT,
               "file {}: /images holds {}-byte {} values; expected uint8 or float32", path,
               stored.type_size, class_name(stored.type_class));
  return read_array(file, path, "/images", bytes ? DType::UInt8 : DType::Float32, true);
}

// The strings of attribute `classes` (variable- or fixed-length, as h5py or C writes them).
std::vector<std::string> read_classes(hid_t file, const std::string& path) {
  if (H5Aexists(file, "classes") <= 0) return {};
  nn::h5::Handle attr(H5Aopen(file, "classes", H5P_DEFAULT), H5Aclose);
  nn::h5::Handle type(H5Aget_type(attr.get()), H5Tclose);
  nn::h5::Handle space(H5Aget_space(attr.get()), H5Sclose);
  CAMLAB_CHECK(H5Tget_class(type.get()) == H5T_STRING,
               "file {}: attribute 'classes' holds {} values; expected strings (class names)", path,
               class_name(H5Tget_class(type.get())));
  const auto count = static_cast<size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::vector<std::string> names;
  if (H5Tis_variable_str(type.get()) > 0) {
    nn::h5::Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));  // HDF5 will not convert ASCII <-> UTF-8
    std::vector<char*> raw(count, nullptr);
    CAMLAB_CHECK(H5Aread(attr.get(), mem.get(), raw.data()) >= 0,
                 "file {}: attribute 'classes' cannot be read", path);
    for (char* s : raw) names.emplace_back(s ? s : "");
    nn::h5::reclaim_variable_length(mem.get(), space.get(), raw.data());
  } else {
    const size_t width = H5Tget_size(type.get());
    std::vector<char> raw(count * width);
    CAMLAB_CHECK(H5Aread(attr.get(), type.get(), raw.data()) >= 0,
                 "file {}: attribute 'classes' cannot be read", path);
    for (size_t i = 0; i < count; ++i) {
      std::string s(raw.data() + i * width, width);
      s.erase(s.find_last_not_of(std::string("\0 ", 2)) + 1);  // NUL or space padding
      names.push_back(s);
    }
  }
  return names;
}

// ---- writing ----

void write_array(hid_t file, const std::string& path, const char* key, const Tensor& t) {
  Tensor x = t.contiguous();
  std::vector<hsize_t> dims(x.shape().begin(), x.shape().end());
  nn::h5::Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                       H5Sclose);
  nn::h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (x.numel() > 0) {
    // Chunks of whole items, about 1 MiB each, so one item reads without inflating the rest.
    const size_t item_bytes = static_cast<size_t>(x.numel() / x.size(0)) * dtype_size(x.dtype());
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::clamp<hsize_t>((1u << 20) / std::max<size_t>(item_bytes, 1), 1, dims[0]);
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), 4);
  }
  nn::h5::Handle dataset(H5Dcreate2(file, key, file_type(x.dtype()), space.get(), H5P_DEFAULT,
                                    dcpl.get(), H5P_DEFAULT),
                         H5Dclose);
  CAMLAB_CHECK(dataset.ok(), "file {}: cannot create {} {}", path, key, shape_str(x.shape()));
  if (x.numel() > 0) {
    CAMLAB_CHECK(H5Dwrite(dataset.get(), memory_type(x.dtype()), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          x.raw_data()) >= 0,
                 "file {}: writing {} {} failed", path, key, shape_str(x.shape()));
  }
}

void write_strings_attribute(hid_t file, const std::string& path, const char* key,
                             const std::vector<std::string>& values) {
  if (values.empty()) return;
  nn::h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const hsize_t count = values.size();
  nn::h5::Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose);
  nn::h5::Handle attr(H5Acreate2(file, key, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                      H5Aclose);
  std::vector<const char*> raw;
  for (const std::string& v : values) raw.push_back(v.c_str());
  CAMLAB_CHECK(attr.ok() && H5Awrite(attr.get(), type.get(), raw.data()) >= 0,
               "file {}: cannot write attribute '{}'", path, key);
}

}  // namespace

ImageDataset read_hdf5_dataset(const std::string& path) {
  CAMLAB_CHECK(std::filesystem::is_regular_file(path), "file {} not found", path);
  nn::h5::probe_in_child("file " + path, path);  // h5_probe.h: libhdf5 crashes on some bad files
  nn::h5::QuietErrors quiet;
  nn::h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  CAMLAB_CHECK(file.ok(), "file {} is not a readable HDF5 file; {}", path, kSchema);
  ImageDataset d;
  d.name = std::filesystem::path(path).stem().string();
  d.images = read_images(file.get(), path);
  CAMLAB_CHECK(d.images.dim() == 4, "file {}: /images has shape {}; expected [N, C, H, W]", path,
               shape_str(d.images.shape()));
  const Stored labels = [&] {
    CAMLAB_CHECK(H5Lexists(file.get(), "/labels", H5P_DEFAULT) > 0,
                 "file {}: /labels is missing; {}", path, kSchema);
    nn::h5::Handle dataset(H5Dopen2(file.get(), "/labels", H5P_DEFAULT), H5Dclose);
    return describe(dataset.get());
  }();
  const DType label_dtype = labels.shape.size() == 2 ? DType::UInt8 : DType::Int64;
  d.labels = read_array(file.get(), path, "/labels", label_dtype, true);
  d.boxes = read_array(file.get(), path, "/boxes", DType::Float32, false);
  d.masks = read_array(file.get(), path, "/masks", DType::UInt8, false);
  d.distractor_boxes = read_array(file.get(), path, "/distractor_boxes", DType::Float32, false);
  d.class_names = read_classes(file.get(), path);
  d.validate("file " + path);
  return d;
}

void write_hdf5_dataset(const std::string& path, const ImageDataset& dataset) {
  dataset.validate("write_hdf5_dataset " + path);
  nn::h5::QuietErrors quiet;
  nn::h5::MemoryFile file("dataset", path);  // h5_memory_file.h: why libhdf5 never writes it
  write_array(file.get(), path, "/images", dataset.images);
  write_array(file.get(), path, "/labels", dataset.labels);
  if (dataset.has_boxes()) write_array(file.get(), path, "/boxes", dataset.boxes);
  if (dataset.has_masks()) write_array(file.get(), path, "/masks", dataset.masks);
  if (dataset.distractor_boxes.defined())
    write_array(file.get(), path, "/distractor_boxes", dataset.distractor_boxes);
  write_strings_attribute(file.get(), path, "classes", dataset.class_names);
  file.save();  // <path>.tmp, fsync, rename
}

}  // namespace camlab::datasets
