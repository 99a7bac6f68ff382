// What localize and segment share: the (image, class) cases a dataset asks to explain with their
// true boxes, the images exactly as the network is fed them, checks that a dataset fits the model,
// and the model seen as "probability of class c" for the faithfulness metrics.
//
//   std::vector<Case> cases = explained_cases(data, "file test.h5");   // one per present class
//   Tensor fed = fed_images(data, pipeline);                          // float [N, C, H, W]
//   WsolModel m{.model = model.get(), .layer = "relu6", .multilabel = false};
//   cam::ClassProbability p = class_probability(m);                   // softmax or sigmoid
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cam/methods/method.h"
#include "cam/methods/method_settings.h"
#include "cam/metrics/box.h"
#include "cam/metrics/faithfulness.h"
#include "datasets/image_dataset.h"
#include "datasets/pipeline.h"
#include "nn/module.h"

namespace camlab::experiments {

// One class of one image to explain, with that class's true boxes (empty without /boxes).
struct Case {
  int64_t image = 0;
  int64_t cls = 0;
  std::vector<cam::Box> boxes;
};

// The classes present in item i: its label, or the set entries of a multi-hot row (ascending).
std::vector<int64_t> present_classes(const datasets::ImageDataset& data, int64_t i);

// One case per present class of every item. Boxes: single-label items own all their boxes;
// multi-hot items pair box row j with the j-th present class (as make_composite writes them)
// when the counts agree, and otherwise give every class all the item's boxes.
std::vector<Case> explained_cases(const datasets::ImageDataset& data);

// The first `count` items (all when count <= 0 or count >= size).
datasets::ImageDataset first_items(const datasets::ImageDataset& data, int64_t count);

// Multi-hot uint8 [N, K] of the present classes (K = classes).
Tensor presence(const datasets::ImageDataset& data, int64_t classes);

// The pixels as the network sees them: the evaluation pipeline applied, float32 [N, C, H, W].
Tensor fed_images(const datasets::ImageDataset& data, const datasets::Pipeline& pipeline);

// One-line Errors naming `source` when the dataset lacks what `verb` needs (boxes: localize,
// masks: segment) or holds a class the model has no output for.
void check_dataset_for(const datasets::ImageDataset& data, std::string_view source,
                       std::string_view verb, int64_t model_classes);

struct WsolModel {
  nn::Module* model = nullptr;
  std::string layer;        // the CAM target layer ("" = the methods' automatic choice)
  bool multilabel = false;  // class probabilities by sigmoid instead of softmax
  Device device = Device::cpu();
  int64_t classes = 0;      // outputs of the network
  uint64_t seed = 0;        // Random-CAM's weights
  int64_t batch_size = 64;  // images per explanation call
  // The methods' own options (explain.*: SmoothGrad's samples, KPCA-CAM's kernel, ...); layer and
  // seed above replace its layers and seeds.
  cam::MethodSettings settings;

  std::unique_ptr<cam::Method> method(const std::string& name) const;
};

// The number of outputs (classes) of `model` for images like fed [N, C, H, W]: one forward.
int64_t count_outputs(nn::Module& model, const Tensor& fed, Device device);

// p(class | image) of the model, evaluated without gradients on its device.
cam::ClassProbability class_probability(const WsolModel& m);

// Explains cases [first, first + count) of `cases` for their classes; images: fed [N, C, H, W].
cam::Explanation explain_cases(cam::Method& method, const Tensor& images,
                               const std::vector<Case>& cases, int64_t first, int64_t count,
                               Device device);

}  // namespace camlab::experiments
