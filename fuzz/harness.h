// The fuzz harnesses: one function per reader, run by libFuzzer (a `<name>_fuzz` executable in a
// -DCAMLAB_FUZZ=ON clang build) or by `fuzz_replay` over the saved corpora (every build, CTest).
//
//   int camlab_fuzz_idx(const uint8_t* data, size_t size);   // reads `data` as an IDX file
//   for (const FuzzHarness& h : fuzz_harnesses()) h.run(bytes.data(), bytes.size());
//
// A harness feeds its bytes to one reader and accepts exactly one outcome besides success: a
// camlab::Error, the one-line message a user sees. Anything else (another exception, a signal, a
// sanitizer report, a hang, memory out of proportion to the input) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace camlab::fuzz {

using HarnessFn = int (*)(const uint8_t* data, size_t size);

struct FuzzHarness {
  const char* name;  // also the corpus folder: fuzz/corpus/<name>/
  HarnessFn run;
};

const std::vector<FuzzHarness>& fuzz_harnesses();

// Writes the input to a per-process scratch file whose name ends in `suffix` (".idx.gz", ".h5")
// and returns its path; the readers under test take paths.
std::string scratch_file(const uint8_t* data, size_t size, const std::string& suffix);

// Runs `read`; a camlab::Error is the expected way to refuse bad input and is swallowed.
void expect_success_or_error(const std::function<void()>& read);

}  // namespace camlab::fuzz

extern "C" {
int camlab_fuzz_idx(const uint8_t* data, size_t size);
int camlab_fuzz_idx_gzip(const uint8_t* data, size_t size);
int camlab_fuzz_cifar(const uint8_t* data, size_t size);
int camlab_fuzz_hdf5_dataset(const uint8_t* data, size_t size);
int camlab_fuzz_checkpoint(const uint8_t* data, size_t size);
int camlab_fuzz_config(const uint8_t* data, size_t size);
int camlab_fuzz_set(const uint8_t* data, size_t size);
int camlab_fuzz_indices(const uint8_t* data, size_t size);
int camlab_fuzz_png(const uint8_t* data, size_t size);
int camlab_fuzz_image(const uint8_t* data, size_t size);  // JPEG (EXIF) or PNG by magic bytes
int camlab_fuzz_onnx(const uint8_t* data, size_t size);   // import_onnx, then nn::Graph
}
