// An HDF5 file built in memory (HDF5's core driver, no backing store) and written to disk by
// camlab's own atomic writer. Every HDF5 file camlab writes goes through it: checkpoints
// (nn/checkpoint), datasets (datasets/hdf5_dataset, `camlab make-dataset`) and explanations
// (experiments/explain). Header-only over the HDF5 C API, like h5_handle.h.
//
//   h5::QuietErrors quiet;
//   h5::MemoryFile file("checkpoint", "runs/x/checkpoint.h5");  // errors: checkpoint 'runs/...':
//   h5::write_tensor(file.get(), "weight", w, DType::Float32);
//   file.save();                                                // <path>.tmp, fsync, rename
//
// Why not let libhdf5 write the file: libhdf5 1.10 crashes at exit (H5F__close_cb in
// H5_term_library) after a failed write to a real file — a full disk, a quota — so a writer that
// reported "disk full" would then die by SIGSEGV. Here libhdf5 only fills memory; the bytes reach
// the disk through write_file_atomic, whose failures are one-line Errors, and a kill at any moment
// leaves the previous file or the new one, never half of one.
#pragma once

#include <hdf5.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "nn/h5_handle.h"
#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace camlab::nn::h5 {

class MemoryFile {
 public:
  // `kind` ("checkpoint", "dataset") and `path` name the file in errors.
  MemoryFile(std::string kind, std::filesystem::path path)
      : kind_(std::move(kind)),
        path_(std::move(path)),
        what_(kind_ + " '" + path_.string() + "'"),
        access_(H5Pcreate(H5P_FILE_ACCESS), H5Pclose),
        file_(create(what_, access_.get()), H5Fclose) {}

  hid_t get() const { return file_.get(); }

  // The finished file's bytes.
  std::string bytes() const {
    CAMLAB_CHECK(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) >= 0,
                 "{}: HDF5 cannot finish the file in memory", what_);
    const ssize_t size = H5Fget_file_image(file_.get(), nullptr, 0);
    std::string image(size > 0 ? static_cast<size_t>(size) : 0, '\0');
    CAMLAB_CHECK(size > 0 && H5Fget_file_image(file_.get(), image.data(), image.size()) == size,
                 "{}: HDF5 cannot hand over the file's bytes", what_);
    return image;
  }

  // Writes the bytes to the path atomically; on failure the previous file there is untouched.
  void save() const {
    const std::string image = bytes();
    try {
      write_file_atomic(path_, image);
    } catch (const Error& e) {
      fail("{}: {} (the previous {} is untouched)", what_, e.what(), kind_);
    }
  }

 private:
  // 1 MiB growth steps; backing_store = 0: the driver never writes the file it names.
  static hid_t create(const std::string& what, hid_t access) {
    CAMLAB_CHECK(access >= 0 && H5Pset_fapl_core(access, 1 << 20, 0) >= 0,
                 "{}: HDF5 cannot build a file in memory", what);
    // HDF5 refuses to create a file whose name is open already: each gets a name of its own.
    static std::atomic<int64_t> files_made{0};
    const std::string name = "camlab-in-memory-" + std::to_string(files_made++) + ".h5";
    const hid_t file = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
    CAMLAB_CHECK(file >= 0, "{}: HDF5 cannot create it in memory", what);
    return file;
  }

  std::string kind_;
  std::filesystem::path path_;
  std::string what_;  // "checkpoint 'runs/x/checkpoint.h5'": the prefix of every error
  Handle access_;
  Handle file_;
};

}  // namespace camlab::nn::h5
