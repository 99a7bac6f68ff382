// Harness for the ONNX importer: the bytes as an .onnx file, imported (protobuf parse, opset and
// attribute checks, validation) and, when that succeeds, built into an nn::Graph, which allocates
// the initializers the file declares.
#include "fuzz/harness.h"
#include "nn/graph/graph.h"
#include "nn/onnx/onnx_import.h"

using namespace camlab;
using namespace camlab::fuzz;

extern "C" int camlab_fuzz_onnx(const uint8_t* data, size_t size) {
  const std::string path = scratch_file(data, size, ".onnx");
  expect_success_or_error([&] { nn::Graph graph(nn::import_onnx(path)); });
  return 0;
}
