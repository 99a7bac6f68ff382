// Fixture: the HDF5 C API behind tests/support/fixture.h.
#include "tests/support/fixture.h"

#include <hdf5.h>

#include <filesystem>
#include <stdexcept>
#include <type_traits>

#include "nn/h5_handle.h"

#ifndef CAMLAB_FIXTURE_DIR
#define CAMLAB_FIXTURE_DIR "tests/fixtures"
#endif

namespace camlab::test {
namespace {

static_assert(std::is_same_v<hid_t, int64_t>, "fixture.h stores hid_t as int64_t (HDF5 >= 1.10)");

using nn::h5::Handle;
using nn::h5::QuietErrors;

std::string resolve(const std::string& file) {
  if (std::filesystem::path(file).is_absolute()) return file;
  return (std::filesystem::path(CAMLAB_FIXTURE_DIR) / file).string();
}

herr_t collect_group(hid_t loc, const char* name, const H5L_info_t*, void* out) {
  Handle object(H5Oopen(loc, name, H5P_DEFAULT), H5Oclose);
  if (object.ok() && H5Iget_type(object.get()) == H5I_GROUP) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  }
  return 0;
}

}  // namespace

Fixture::Fixture(const std::string& file) : path_(resolve(file)) {
  if (!std::filesystem::exists(path_)) {
    throw std::runtime_error("fixture " + path_ +
                             ": file not found (regenerate with: python3 tools/make_fixtures.py)");
  }
  QuietErrors quiet;
  file_ = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) fail("/", "not a readable HDF5 file");
}

Fixture::~Fixture() {
  if (file_ >= 0) H5Fclose(file_);
}

void Fixture::fail(const std::string& where, const std::string& what) const {
  throw std::runtime_error("fixture " + path_ + ": " + where + ": " + what);
}

std::vector<std::string> Fixture::cases() const {
  QuietErrors quiet;
  std::vector<std::string> names;
  hsize_t index = 0;
  if (H5Literate(file_, H5_INDEX_NAME, H5_ITER_INC, &index, collect_group, &names) < 0) {
    fail("/", "cannot list the groups");
  }
  return names;
}

bool Fixture::has(const std::string& path) const {
  QuietErrors quiet;
  // H5Lexists fails (rather than answering false) when an intermediate group is missing,
  // so check every prefix in turn.
  for (size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
    const std::string prefix = path.substr(0, end);
    if (!prefix.empty() && prefix != "/" && H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) {
      return false;
    }
    if (end == std::string::npos) return true;
  }
}

Array Fixture::array(const std::string& path) const {
  QuietErrors quiet;
  Handle dataset(H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.ok()) fail(path, has(path) ? "not a dataset" : "no such dataset");
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(path, "dataset is not numeric");

  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(path, "cannot read the dataset's shape");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);

  Array out;
  out.shape.assign(dims.begin(), dims.end());
  out.values.resize(static_cast<size_t>(H5Sget_simple_extent_npoints(space.get())));
  // HDF5 converts float32/int64 on disk to double in memory; both are exact.
  if (!out.values.empty() && H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                                     H5P_DEFAULT, out.values.data()) < 0) {
    fail(path, "cannot read the dataset");
  }
  return out;
}

namespace {

// Opens attribute `attr` on the object at `group`; returns an invalid handle when missing.
Handle open_attr(hid_t file, const std::string& group, const std::string& attr) {
  const std::string object = group.empty() ? "/" : group;
  if (H5Aexists_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT) <= 0) {
    return Handle(-1, H5Aclose);
  }
  return Handle(H5Aopen_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose);
}

hssize_t attr_count(hid_t attribute) {
  Handle space(H5Aget_space(attribute), H5Sclose);
  return H5Sget_simple_extent_npoints(space.get());
}

}  // namespace

std::vector<int64_t> Fixture::ints(const std::string& group, const std::string& attr) const {
  QuietErrors quiet;
  const std::string where = group + "@" + attr;
  Handle attribute = open_attr(file_, group, attr);
  if (!attribute.ok()) fail(where, "no such attribute");
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_INTEGER) fail(where, "attribute is not an integer");
  std::vector<int64_t> out(static_cast<size_t>(attr_count(attribute.get())));
  if (H5Aread(attribute.get(), H5T_NATIVE_INT64, out.data()) < 0)
    fail(where, "cannot read the attribute");
  return out;
}

double Fixture::number(const std::string& group, const std::string& attr) const {
  QuietErrors quiet;
  const std::string where = group + "@" + attr;
  Handle attribute = open_attr(file_, group, attr);
  if (!attribute.ok()) fail(where, "no such attribute");
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(where, "attribute is not a number");
  if (attr_count(attribute.get()) != 1) fail(where, "attribute holds several values; use ints()");
  double out = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &out) < 0)
    fail(where, "cannot read the attribute");
  return out;
}

std::string Fixture::text(const std::string& group, const std::string& attr) const {
  QuietErrors quiet;
  const std::string where = group + "@" + attr;
  Handle attribute = open_attr(file_, group, attr);
  if (!attribute.ok()) fail(where, "no such attribute");
  Handle type(H5Aget_type(attribute.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) fail(where, "attribute is not a string");
  if (attr_count(attribute.get()) != 1) fail(where, "attribute holds several strings");

  // Read with the file's character set: HDF5 will not convert between ASCII and UTF-8.
  Handle memtype(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_cset(memtype.get(), H5Tget_cset(type.get()));
  if (H5Tis_variable_str(type.get()) > 0) {  // h5py writes Python str this way
    H5Tset_size(memtype.get(), H5T_VARIABLE);
    char* value = nullptr;
    if (H5Aread(attribute.get(), memtype.get(), &value) < 0)
      fail(where, "cannot read the attribute");
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
  }
  const size_t size = H5Tget_size(type.get());
  H5Tset_size(memtype.get(), size);
  std::string out(size, '\0');
  if (H5Aread(attribute.get(), memtype.get(), out.data()) < 0)
    fail(where, "cannot read the attribute");
  out.resize(out.find('\0') == std::string::npos ? size
                                                 : out.find('\0'));  // fixed strings are NUL-padded
  return out;
}

}  // namespace camlab::test
