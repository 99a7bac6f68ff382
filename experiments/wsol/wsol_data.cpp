#include "experiments/wsol/wsol_data.h"

#include "autograd/ops.h"
#include "datasets/data_loader.h"

namespace camlab::experiments {

std::vector<int64_t> present_classes(const datasets::ImageDataset& data, int64_t i) {
  if (!data.is_multilabel()) return {data.labels.at<int64_t>({i})};
  std::vector<int64_t> out;
  const Tensor row = data.labels.select(0, i).contiguous();
  for (int64_t k = 0; k < row.size(0); ++k) {
    if (row.data<uint8_t>()[k]) out.push_back(k);
  }
  return out;
}

namespace {

std::vector<cam::Box> item_boxes(const datasets::ImageDataset& data, int64_t i) {
  std::vector<cam::Box> out;
  if (!data.has_boxes()) return out;
  const Tensor rows = data.boxes.select(0, i).contiguous();  // [M, 4]
  const float* b = rows.data<float>();
  for (int64_t m = 0; m < rows.size(0); ++m, b += 4) {
    if (b[0] == -1 && b[1] == -1 && b[2] == -1 && b[3] == -1) continue;  // padding row
    out.push_back({b[0], b[1], b[2], b[3]});
  }
  return out;
}

}  // namespace

std::vector<Case> explained_cases(const datasets::ImageDataset& data) {
  std::vector<Case> cases;
  for (int64_t i = 0; i < data.size(); ++i) {
    const std::vector<int64_t> classes = present_classes(data, i);
    const std::vector<cam::Box> boxes = item_boxes(data, i);
    const bool paired = data.is_multilabel() && boxes.size() == classes.size();
    for (size_t j = 0; j < classes.size(); ++j) {
      cases.push_back({.image = i,
                       .cls = classes[j],
                       .boxes = paired ? std::vector<cam::Box>{boxes[j]} : boxes});
    }
  }
  return cases;
}

datasets::ImageDataset first_items(const datasets::ImageDataset& data, int64_t count) {
  if (count <= 0 || count >= data.size()) return data;
  std::vector<int64_t> first(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) first[i] = i;
  return data.subset(first);
}

Tensor presence(const datasets::ImageDataset& data, int64_t classes) {
  Tensor out = ops::zeros({data.size(), classes}, DType::UInt8);  // [N, K]
  for (int64_t i = 0; i < data.size(); ++i) {
    for (int64_t k : present_classes(data, i)) out.data<uint8_t>()[i * classes + k] = 1;
  }
  return out;
}

Tensor fed_images(const datasets::ImageDataset& data, const datasets::Pipeline& pipeline) {
  datasets::DataLoader loader(
      data, {.batch_size = std::max<int64_t>(data.size(), 1), .shuffle = false, .prefetch = 0},
      pipeline);
  return loader.batch(0, 0).images;
}

void check_dataset_for(const datasets::ImageDataset& data, std::string_view source,
                       std::string_view verb, int64_t model_classes) {
  CAMLAB_CHECK(data.size() > 0, "{}: {} needs at least one image; the dataset is empty", source,
               verb);
  if (verb == "localize") {
    CAMLAB_CHECK(data.has_boxes(),
                 "{}: /boxes is missing; localize needs the true boxes (float32 [N, M, 4]), e.g. "
                 "from `camlab make-dataset composite`",
                 source);
  }
  if (verb == "segment") {
    CAMLAB_CHECK(data.has_masks(),
                 "{}: /masks is missing; segment needs the true masks (uint8 [N, H, W]), e.g. "
                 "from `camlab make-dataset composite`",
                 source);
  }
  const int64_t classes = data.num_classes();
  CAMLAB_CHECK(classes <= model_classes,
               "{}: the dataset has {} classes but the model has {} outputs; class indices must "
               "be 0..{}",
               source, classes, model_classes, model_classes - 1);
  for (int64_t i = 0; i < data.size(); ++i) {
    for (int64_t k : present_classes(data, i)) {
      CAMLAB_CHECK(k >= 0 && k < model_classes,
                   "{}: item {} has class {}, out of range for a model with {} outputs (valid "
                   "0..{})",
                   source, i, k, model_classes, model_classes - 1);
    }
  }
}

std::unique_ptr<cam::Method> WsolModel::method(const std::string& name) const {
  cam::MethodSettings chosen = settings;
  if (!layer.empty()) chosen.common.layers = {layer};
  chosen.set_seed(seed);
  return cam::make_method(name, *model, chosen);
}

int64_t count_outputs(nn::Module& model, const Tensor& fed, Device device) {
  autograd::NoGradGuard no_grad;
  model.eval();
  const Tensor logits = model(fed.narrow(0, 0, 1).to(device));  // [1, K]
  CAMLAB_CHECK(logits.dim() == 2,
               "the model's output is {}; localize and segment need a "
               "classifier with logits [N, K]",
               shape_str(logits.shape()));
  return logits.size(1);
}

cam::ClassProbability class_probability(const WsolModel& m) {
  return [&m](const Tensor& images, const Tensor& classes) {
    autograd::NoGradGuard no_grad;
    m.model->eval();
    Tensor logits = (*m.model)(images.to(m.device)).to(Device::cpu());  // [B, K]
    Tensor probs = m.multilabel ? ops::sigmoid(logits) : ops::softmax(logits, 1);
    return ops::gather(probs, 1, classes.to(DType::Int64).unsqueeze(1)).squeeze(1);  // [B]
  };
}

cam::Explanation explain_cases(cam::Method& method, const Tensor& images,
                               const std::vector<Case>& cases, int64_t first, int64_t count,
                               Device device) {
  std::vector<int64_t> rows, classes;
  for (int64_t j = first; j < first + count; ++j) {
    rows.push_back(cases[j].image);
    classes.push_back(cases[j].cls);
  }
  Tensor index = Tensor::from_vector(rows, {count});
  Tensor batch = ops::index_select(images, 0, index).to(device);  // [count, C, H, W]
  Tensor target = Tensor::from_vector(classes, {count}).to(device);
  return method.explain(batch, cam::Target::labels(target));
}

}  // namespace camlab::experiments
