// Choosing which test images to explain from a model's predictions (experiments/explain/).
#include "experiments/explain/selection.h"

#include <gtest/gtest.h>

#include <memory>

#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

// Six 1x2x2 images whose labels use only classes 0..2.
datasets::ImageDataset three_class_images() {
  datasets::ImageDataset data;
  data.name = "three";
  data.images = ops::arange(0, 24).reshape({6, 1, 2, 2});                          // [6, 1, 2, 2]
  data.labels = Tensor::from_vector(std::vector<int64_t>{0, 1, 2, 0, 1, 2}, {6});  // [6]
  return data;
}

// A net trained on ten classes, explained on data that holds only three of them: the prediction
// table is as wide as the model's output, not the dataset's class count.
TEST(Selection, PredictionsAreAsWideAsTheModelNotTheData) {
  nn::Sequential model(std::vector<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(4, 10)});
  datasets::DataLoader loader(three_class_images(), {.batch_size = 4, .shuffle = false});
  Predictions p = predict_all(model, loader, Device::cpu(), /*multilabel=*/false);
  ASSERT_EQ(p.probabilities.shape(), (Shape{6, 10}));
  EXPECT_NEAR(ops::sum(p.probabilities).item(), 6.0, 1e-4);  // each row a distribution
  EXPECT_EQ(p.labels.at<int64_t>({5}), 2);
  std::vector<int64_t> per_class = select_images("per-class", p, 3, 0);
  EXPECT_EQ(per_class, (std::vector<int64_t>{0, 1, 2}));
}

TEST(Selection, CorrectAndMisclassifiedSplitTheImages) {
  Predictions p{Tensor::from_vector(std::vector<float>{0.9f, 0.1f, 0.2f, 0.8f, 0.7f, 0.3f}, {3, 2}),
                Tensor::from_vector(std::vector<int64_t>{0, 1, 1}, {3})};
  EXPECT_EQ(select_images("correct", p, 5, 0), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(select_images("misclassified", p, 5, 0), (std::vector<int64_t>{2}));
  EXPECT_EQ(select_images("first", p, 2, 0), (std::vector<int64_t>{0, 1}));
}

}  // namespace
}  // namespace camlab::experiments
