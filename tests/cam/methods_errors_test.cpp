// cam/methods error cases: every one is a single line that names the method, what was wrong and
// what would be valid.
#include <gtest/gtest.h>

#include <string>

#include "autograd/ops.h"
#include "cam/methods/method.h"
#include "nn/nn.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

TEST(CamMethodsErrors, UnknownMethodListsTheValidOnes) {
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(make_method("gradcamm", *net)),
                       {"unknown method 'gradcamm'", "cam, gradcam, gradcam++", "scorecam",
                        "guided-backprop", "integrated-gradients", "occlusion"}));
  EXPECT_EQ(method_names().size(), 29u);
}

TEST(CamMethodsErrors, UnknownLayerListsTheValidOnes) {
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(make_method("gradcam", *net, {.common = {.layers = {"conv9"}}})),
               {"gradcam", "no layer 'conv9'", "valid layers", "conv1", "relu2", "fc"}));
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(make_method("guided-gradcam", *net, {.common = {.layers = {"x"}}})),
      {"no layer 'x'", "relu2"}));
}

TEST(CamMethodsErrors, CamWithoutAGapLinearHeadSaysWhy) {
  Generator gen(0);
  auto flat = tiny_flat_net(gen);
  const Tensor x = ops::randn({2, 1, 12, 12}, gen);
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(make_method("cam", *flat)->explain(x)),
      {"cam:", "global-average-pooling + Linear head", "'relu2'", "flatten [1, 216]", "gradcam"}));
  // The fixture net has the head, but conv2 does not feed it (relu2 is in between).
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(make_method("cam", *net, {.common = {.layers = {"conv2"}}})
                                             ->explain(fx.inputs(DType::Float32))),
                       {"spatial mean of 'conv2'", "relu2 [1, 6, 6, 6]"}));
  // Every other method runs on the flat head.
  EXPECT_EQ(make_method("gradcam", *flat)->explain(x).maps.shape(), (Shape{2, 12, 12}));
}

TEST(CamMethodsErrors, TargetsOutOfRange) {
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  const Tensor x = fx.inputs(DType::Float32);
  auto gradcam = make_method("gradcam", *net);
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(gradcam->explain(x, Target::fixed(3))),
                       {"gradcam", "target class 3", "3 classes", "valid 0..2"}));
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(gradcam->explain(
                           x, Target::labels(Tensor::from_vector<int64_t>({0, -1, 2}, {3})))),
                       {"target class -1 of image 1", "valid 0..2"}));
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(gradcam->explain(
                           x, Target::labels(Tensor::from_vector<int64_t>({0, 1}, {2})))),
                       {"2 target labels for 3 images"}));
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(Target::labels(Tensor::from_vector<float>({0, 1}, {2}))),
                       {"int64 [N]", "float32"}));
  // Pixel and perturbation methods check the same way.
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(make_method("scorecam", *net)->explain(x, Target::fixed(7))),
               {"scorecam", "target class 7"}));
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(make_method("occlusion", *net)->explain(x, Target::fixed(7))),
               {"occlusion", "target class 7"}));
}

TEST(CamMethodsErrors, ACustomScoreMustGiveOneScorePerImage) {
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  const Target whole_logits =
      Target::predicted().with_score([](const Tensor& logits, const Tensor&) { return logits; });
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(
                   make_method("gradcam", *net)->explain(fx.inputs(DType::Float32), whole_logits)),
               {"gradcam", "one score per image, [3]", "[3, 3]"}));
  // A multi-label logit that ignores the classes is fine.
  const Target logit_two = Target::predicted().with_score(
      [](const Tensor& logits, const Tensor&) { return camlab::select(logits, 1, 2); });
  Explanation e = make_method("gradcam", *net)->explain(fx.inputs(DType::Float32), logit_two);
  Explanation fixed =
      make_method("gradcam", *net)->explain(fx.inputs(DType::Float32), Target::fixed(2));
  EXPECT_EQ(values(e.raw), values(fixed.raw));
}

TEST(CamMethodsErrors, ImagesOfTheWrongShape) {
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  Generator gen(0);
  auto gradcam = make_method("gradcam", *net);
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(gradcam->explain(ops::randn({2, 3, 12, 12}, gen))),
                       {"gradcam", "3 channels", "'conv1' expects 1"}));
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(gradcam->explain(ops::randn({1, 12, 12}, gen))),
                       {"gradcam", "[N, C, H, W]", "[1, 12, 12]"}));
  auto sized = make_method("gradcam", *net, {.common = {.image_shape = {1, 12, 12}}});
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(sized->explain(ops::randn({2, 1, 10, 10}, gen))),
                       {"gradcam", "[2, 1, 10, 10]", "[N, 1, 12, 12]"}));
  // A flatten head fixes the size: the model's own error, with the method and the images' shape.
  auto flat = tiny_flat_net(gen);
  for (const std::string method : {"gradcam", "scorecam", "saliency", "cam"}) {
    EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(make_method(method, *flat, {.common = {.layers = {}}})
                                               ->explain(ops::randn({2, 1, 10, 10}, gen))),
                         {method + ":", "cannot take images of shape [2, 1, 10, 10]"}));
  }
}

TEST(CamMethodsErrors, MethodSettingsThatCannotWork) {
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(make_method("smoothgrad", *net, {.smoothgrad = {.base = "gradcam"}})),
      {"smoothgrad", "cannot smooth 'gradcam'", "saliency"}));
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(make_method("scorecam", *net, {.scorecam = {.batch_size = 0}})),
               {"scorecam", "batch_size"}));
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(make_method("occlusion", *net, {.occlusion = {.patch = 0, .stride = 2}})),
      {"occlusion", "patch", "positive", "got 0 and 2"}));
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(make_method("integrated-gradients", *net,
                                                     {.integrated_gradients = {.steps = 0}})),
                       {"integrated-gradients", "steps", "got 0"}));
  Generator gen(0);
  auto no_relu = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(1, 2, 3, nn::Conv2dOptions{}, gen),
      std::make_shared<nn::GlobalAvgPool>()});
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(make_method("guided-backprop", *no_relu)),
                       {"guided-backprop", "no ReLU module"}));
  // A model without any spatial output has no default layer.
  auto dense = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4, 2, true, gen)});
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(make_method("gradcam", *dense)->explain(ops::randn({1, 1, 2, 2}, gen))),
      {"gradcam", "no layer", "4-d", "name one"}));
}

}  // namespace
}  // namespace camlab::cam::test
