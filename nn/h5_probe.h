// Reads an HDF5 file's whole structure in a child process before camlab reads it, so that a
// hostile file which crashes or hangs libhdf5 costs an Error, not the process. libhdf5 1.10.8
// (Debian 12) trusts sizes and addresses in a file's metadata: fuzzing found corrupt local heaps,
// global heaps and chunk layouts that make it copy through a NULL or out-of-bounds pointer or loop
// forever (docs/reliability.md, "Fuzzing"). Nothing camlab can check before calling the library
// tells such a file from a good one, so the child calls it first.
//
//   h5::probe_in_child("checkpoint 'runs/x/checkpoint.h5'", path);   // throws on a crash or hang
//   h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);  // safe now
//
// The child opens the file, visits every object, reads every attribute and every dataset (in
// memory at most kProbeBytes each; larger ones are described, not read) and exits. A child that
// dies by a signal, exits abnormally or outlives its time limit makes the probe an Error naming
// the file; a child that merely meets an HDF5 error passes, and the parent's reader reports it in
// its own words. CAMLAB_HDF5_PROBE=0 skips the probe (a trusted file, or a debugger);
// CAMLAB_HDF5_PROBE_SECONDS sets the child's time limit (default 10 s + 1 s per 20 MB). A file
// that passed is not probed again while its size and modification time stay the same.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace camlab::nn::h5 {

// Datasets above this many bytes in memory are described in the child but not read.
constexpr int64_t kProbeBytes = int64_t{256} << 20;

void probe_in_child(const std::string& what, const std::filesystem::path& path);

}  // namespace camlab::nn::h5
