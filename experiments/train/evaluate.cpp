#include "experiments/train/evaluate.h"

#include <vector>

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

// Loss sum, correct, predictions, images and the confusion counts, summed over the ranks
// (doubles hold the counts exactly up to 2^53).
void reduce_sums(distributed::Communicator& comm, double& loss_sum, int64_t& correct,
                 int64_t& predictions, Evaluation& result) {
  const int64_t cells = result.confusion.defined() ? result.confusion.numel() : 0;
  std::vector<double> sums = {loss_sum, static_cast<double>(correct),
                              static_cast<double>(predictions), static_cast<double>(result.images)};
  int64_t* counts = cells > 0 ? result.confusion.data<int64_t>() : nullptr;  // [K * K]
  for (int64_t i = 0; i < cells; ++i) sums.push_back(static_cast<double>(counts[i]));
  comm.allreduce_sum(sums);
  loss_sum = sums[0];
  correct = static_cast<int64_t>(sums[1]);
  predictions = static_cast<int64_t>(sums[2]);
  result.images = static_cast<int64_t>(sums[3]);
  for (int64_t i = 0; i < cells; ++i) counts[i] = static_cast<int64_t>(sums[4 + i]);
}

}  // namespace

Evaluation evaluate(nn::Module& model, datasets::DataLoader& loader, const Objective& objective,
                    Device device, int64_t epoch, distributed::Communicator* comm) {
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
  if (comm && comm->size() > 1) reduce_sums(*comm, loss_sum, correct, predictions, result);
  CAMLAB_CHECK(result.images > 0, "evaluate: the loader produced no images");
  result.loss = loss_sum / static_cast<double>(result.images);
  result.accuracy = static_cast<double>(correct) / static_cast<double>(predictions);
  return result;
}

}  // namespace camlab::experiments
