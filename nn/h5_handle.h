// HDF5 identifiers that close themselves, and quiet error reporting: the RAII every HDF5 reader
// and writer in camlab shares (nn/checkpoint, datasets/hdf5_dataset, experiments/explain,
// tests/support/fixture). Header-only over the HDF5 C API; not installed (camlab::hdf5 stays a
// private dependency of the libraries that use it).
//
//   h5::QuietErrors quiet;   // our one-line Errors replace HDF5's printed error stack
//   h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
//   if (!file.ok()) fail("file {} is not a readable HDF5 file", path);
//   H5Dopen2(file.get(), "/images", H5P_DEFAULT);
#pragma once

#include <hdf5.h>

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

// Silences HDF5's automatic error-stack printing for a scope; restores the previous handler, so
// code elsewhere in the process keeps its own reporting.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Frees what H5Aread/H5Dread allocated for the variable-length elements of `buffer` (read as
// `memory_type` over `space`); the call was renamed in libhdf5 1.12.
inline herr_t reclaim_variable_length(hid_t memory_type, hid_t space, void* buffer) {
#if H5_VERSION_GE(1, 12, 0)
  return H5Treclaim(memory_type, space, H5P_DEFAULT, buffer);
#else
  return H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, buffer);
#endif
}

}  // namespace camlab::nn::h5
