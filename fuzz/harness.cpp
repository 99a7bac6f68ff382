#include "fuzz/harness.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "tensor/error.h"

namespace camlab::fuzz {

const std::vector<FuzzHarness>& fuzz_harnesses() {
  static const std::vector<FuzzHarness> all{
      {"idx", camlab_fuzz_idx},
      {"idx_gzip", camlab_fuzz_idx_gzip},
      {"cifar", camlab_fuzz_cifar},
      {"hdf5_dataset", camlab_fuzz_hdf5_dataset},
      {"checkpoint", camlab_fuzz_checkpoint},
      {"config", camlab_fuzz_config},
      {"set", camlab_fuzz_set},
      {"indices", camlab_fuzz_indices},
      {"png", camlab_fuzz_png},
      {"image", camlab_fuzz_image},
      {"onnx", camlab_fuzz_onnx},
  };
  return all;
}

std::string scratch_file(const uint8_t* data, size_t size, const std::string& suffix) {
  // /dev/shm when present: libFuzzer rewrites the file thousands of times a second.
  const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm")
                                        ? "/dev/shm"
                                        : std::filesystem::temp_directory_path();
  const std::string path = (dir / ("camlab-fuzz-" + std::to_string(getpid()) + suffix)).string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // the harness itself is broken, not the reader
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

void expect_success_or_error(const std::function<void()>& read) {
  try {
    read();
  } catch (const Error&) {
    // The reader refused the input with a one-line message: the outcome the harness wants.
  }
}

}  // namespace camlab::fuzz
