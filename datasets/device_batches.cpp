#include "datasets/device_batches.h"

#include <utility>

#if CAMLAB_WITH_CUDA
#include "tensor/cuda/upload.h"
#endif

namespace camlab::datasets {

// The batch whose copy runs now: its CPU fields, and the copies of images and labels.
struct DeviceBatches::InFlight {
  Batch batch;  // images and labels still the host tensors until the copies land
#if CAMLAB_WITH_CUDA
  cuda::Upload images, labels;
#endif
};

DeviceBatches::DeviceBatches(DataLoader& loader, Device device)
    : loader_(loader), device_(device) {}

DeviceBatches::~DeviceBatches() = default;

// Starts the copies of `host` to the device (nothing when the epoch is over).
void DeviceBatches::start(std::optional<Batch> host) {
  if (!host) {
    finished_ = true;
    return;
  }
  // Built aside and installed only once every copy has started, so an error leaves no
  // half-moved batch behind.
  auto next = std::make_unique<InFlight>();
#if CAMLAB_WITH_CUDA
  next->images = cuda::Upload(host->images, device_);
  next->labels = cuda::Upload(host->labels, device_);
  next->batch = std::move(*host);
#else
  next->batch = *host;
  next->batch.images = host->images.to(device_);  // this build has no such device: the error
  next->batch.labels = host->labels.to(device_);
#endif
  in_flight_ = std::move(next);
}

std::optional<Batch> DeviceBatches::next() {
  if (device_.is_cpu()) return loader_.next();
  if (!in_flight_ && !finished_) start(loader_.next());  // the first call
  if (!in_flight_) return std::nullopt;
  std::unique_ptr<InFlight> current = std::move(in_flight_);
#if CAMLAB_WITH_CUDA
  current->batch.images = current->images.wait();  // [B, C, H, W] on the device
  current->batch.labels = current->labels.wait();  // [B] or [B, K] on the device
#endif
  start(loader_.next());  // the next copy runs while the caller computes on this batch
  return std::move(current->batch);
}

}  // namespace camlab::datasets
