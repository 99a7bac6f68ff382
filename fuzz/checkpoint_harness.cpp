// Harness for the HDF5 checkpoint loader: read_checkpoint, then loading it into a small model
// (the path `camlab eval` and `--resume` take).
#include "fuzz/harness.h"
#include "nn/checkpoint.h"
#include "nn/nn.h"

using namespace camlab;
using namespace camlab::fuzz;

extern "C" int camlab_fuzz_checkpoint(const uint8_t* data, size_t size) {
  const std::string path = scratch_file(data, size, ".h5");
  expect_success_or_error([&] { nn::read_checkpoint(path); });
  expect_success_or_error([&] {
    nn::Linear model(4, 2);
    nn::load_checkpoint(path, model);
  });
  return 0;
}
