#include "experiments/train/evaluate.h"

#include "autograd/grad_mode.h"
#include "datasets/device_batches.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

void add_to_confusion(Tensor& confusion, const Tensor& logits, const Tensor& labels) {
  Tensor predicted = ops::argmax(logits, 1).to(Device::cpu());  // [N]
  Tensor truth = labels.to(Device::cpu()).to(DType::Int64);     // [N]
  const int64_t k = confusion.size(0);
  int64_t* counts = confusion.data<int64_t>();
  for (int64_t i = 0; i < predicted.size(0); ++i) {
    counts[truth.at<int64_t>({i}) * k + predicted.at<int64_t>({i})] += 1;
  }
}

}  // namespace

Evaluation evaluate(nn::Module& model, datasets::DataLoader& loader, const Objective& objective,
                    Device device, int64_t epoch) {
  autograd::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  Evaluation result;
  const int64_t classes = loader.dataset().num_classes();
  if (!objective.multilabel) result.confusion = ops::zeros({classes, classes}, DType::Int64);
  double loss_sum = 0;
  int64_t correct = 0, predictions = 0;
  loader.start_epoch(epoch);
  datasets::DeviceBatches batches(loader, device);
  while (std::optional<datasets::Batch> batch = batches.next()) {
    const Tensor& images = batch->images;  // [B, C, H, W] on `device`
    const Tensor& labels = batch->labels;  // [B] or [B, K]
    Tensor logits = model(images);         // [B, K]
    const int64_t n = images.size(0);
    loss_sum += objective.loss(logits, labels).item() * static_cast<double>(n);
    correct += objective.correct(logits, labels);
    predictions += objective.predictions(logits);
    result.images += n;
    if (result.confusion.defined()) add_to_confusion(result.confusion, logits, labels);
  }
  model.train(was_training);
  CAMLAB_CHECK(result.images > 0, "evaluate: the loader produced no images");
  result.loss = loss_sum / static_cast<double>(result.images);
  result.accuracy = static_cast<double>(correct) / static_cast<double>(predictions);
  return result;
}

}  // namespace camlab::experiments
