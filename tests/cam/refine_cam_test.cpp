// RefineCAM (cam/methods/refine_cam.h) against its definition in terms of Grad-CAM++, which
// matches PyTorch on tests/fixtures/cam.h5: one layer is Grad-CAM++ itself, two layers are the
// rescaled product of the two Grad-CAM++ maps; the CLI's comma list reaches it.
#include "cam/methods/refine_cam.h"

#include <gtest/gtest.h>

#include "cam/methods/map_ops.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam {
namespace {

using test::all_close;
using test::CamFixture;
using test::values;

Explanation run(const std::string& method, nn::Module& net, const Tensor& images,
                const Tensor& labels, std::vector<std::string> layers) {
  MethodSettings settings{.common = {.layers = std::move(layers), .image_shape = {1, 12, 12}}};
  return make_method(method, net, settings)->explain(images, Target::labels(labels));
}

TEST(RefineCam, OneLayerIsGradCamPlusPlus) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64), y = fx.labels();
  const Explanation refine = run("refinecam", *net, x, y, {"relu2"});
  const Explanation plusplus = run("gradcam++", *net, x, y, {"relu2"});
  EXPECT_TRUE(
      all_close(values(refine.maps), {plusplus.maps.shape(), values(plusplus.maps)}, 0, 1e-12));
  EXPECT_EQ(refine.layer, "relu2");
}

TEST(RefineCam, TwoLayersAreTheScaledProductOfTheirGradCamPlusPlusMaps) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64), y = fx.labels();
  const Explanation refine = run("refinecam", *net, x, y, {"relu1", "relu2"});
  const Tensor low = run("gradcam++", *net, x, y, {"relu1"}).maps;   // [3, 12, 12]
  const Tensor high = run("gradcam++", *net, x, y, {"relu2"}).maps;  // [3, 12, 12]
  const Tensor expected = minmax_normalize(ops::mul(low, high));     // [3, 12, 12]
  EXPECT_TRUE(all_close(values(refine.maps), {expected.shape(), values(expected)}, 0, 1e-12));
  EXPECT_EQ(refine.layer, "relu1,relu2");
  EXPECT_EQ(values(refine.targets), values(y));
  // raw is the product before the last scaling: zero wherever either layer's map is.
  const Tensor product = ops::mul(low, high);  // [3, 12, 12]
  EXPECT_TRUE(all_close(values(refine.raw), {product.shape(), values(product)}, 0, 1e-12));
}

TEST(RefineCam, UnknownLayerNamesTheMethod) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  try {
    run("refinecam", *net, fx.inputs(DType::Float64), fx.labels(), {"relu2", "nope"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace camlab::cam
