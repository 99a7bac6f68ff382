// A dataset's stored bytes checked against the file before libhdf5 reads them. libhdf5 1.10.8
// (Debian 12) trusts a contiguous dataset's address and size as the file's layout message states
// them: a corrupt one makes H5Dread copy from memory outside any buffer, a crash no error check
// after the call can catch (found by fuzzing, docs/reliability.md). Header-only, like h5_handle.h.
//
//   h5::check_stored_within_file(dataset.get(), "file x.h5: /images");
//   H5Dread(dataset.get(), ...);   // only bytes that exist in the file are read
#pragma once

#include <hdf5.h>

#include <string>

#include "nn/h5_handle.h"
#include "tensor/error.h"

namespace camlab::nn::h5 {

inline void check_stored_within_file(hid_t dataset, const std::string& what) {
  const haddr_t offset = H5Dget_offset(dataset);  // HADDR_UNDEF unless contiguous and allocated
  if (offset == HADDR_UNDEF) return;
  const Handle file(H5Iget_file_id(dataset), H5Fclose);
  hsize_t file_size = 0;
  CAMLAB_CHECK(file.ok() && H5Fget_filesize(file.get(), &file_size) >= 0,
               "{}: the file's size cannot be read", what);
  const hsize_t stored = H5Dget_storage_size(dataset);
  CAMLAB_CHECK(offset <= file_size && stored <= file_size - offset,
               "{}: its {} stored bytes at offset {} lie beyond the end of the file ({} bytes); "
               "the file is corrupt or truncated",
               what, stored, offset, file_size);
}

}  // namespace camlab::nn::h5
