// FullGrad on an imported ONNX graph: tools/make_fullgrad_fixtures.py exports its batch-norm net
// with torch.onnx, which folds each batch norm into the Conv before it. FullGrad then sees the
// folded biases b' = γ·(b − μ)/√(σ² + ε) + β at the Conv outputs, and must match PyTorch's FullGrad
// of the same folded net (tests/fixtures/cam_fullgrad.h5, /fullgrad_folded).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cam/methods/full_grad.h"
#include "nn/graph/graph.h"
#include "nn/onnx/onnx_import.h"
#include "tests/cam/full_grad_fixture.h"

namespace camlab::cam::test {
namespace {

TEST(FullGradOnnx, FoldedBatchNormMatchesPyTorchOnTheFoldedNet) {
  FullGradFixture fx;
  ASSERT_EQ(fx.refs().ints("/", "onnx_folded")[0], 1) << "the exporter kept BatchNormalization";
  auto graph = std::make_shared<nn::Graph>(
      nn::import_onnx(std::string(CAMLAB_FIXTURE_DIR) + "/cam_fullgrad.onnx"));
  graph->to(DType::Float64);
  FullGrad fullgrad(*graph);
  EXPECT_EQ(fullgrad.layers().size(), 2u);  // the two Conv nodes, each with its folded bias
  Explanation e = fullgrad.explain(fx.inputs(DType::Float64), Target::labels(fx.labels()));
  // The exporter and the reference folded in float32, each in its own order: 1e-4.
  EXPECT_TRUE(all_close(values(e.raw), fx.refs().array("fullgrad_folded/raw"), 1e-4, 1e-4));
  EXPECT_TRUE(all_close(values(e.maps), fx.refs().array("fullgrad_folded/maps"), 1e-4, 1e-4));
  // Folding changes the map: two separately normalised terms per block become one.
  EXPECT_FALSE(all_close(values(e.raw), fx.refs().array("fullgrad/raw"), 1e-2, 1e-2));
}

}  // namespace
}  // namespace camlab::cam::test
