// libFuzzer's entry point for one harness, chosen at compile time (fuzz/CMakeLists.txt builds
// this file once per harness with -DCAMLAB_FUZZ_HARNESS=camlab_fuzz_<name>).
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return CAMLAB_FUZZ_HARNESS(data, size);
}
