// A DataLoader's batches on the device that runs the model. On a GPU the next batch's copy is
// already in flight while the current one is used (tensor/cuda/upload.h), so the training step
// does not wait on the bus; on the CPU the batches pass through untouched.
//
//   loader.start_epoch(epoch);
//   DeviceBatches batches(loader, Device::cuda());
//   while (std::optional<Batch> b = batches.next()) step(b->images, b->labels);  // both on cuda
//
// One DeviceBatches serves one pass over the loader's current epoch. The copy overlaps compute
// when the loader builds batches in pinned memory (LoaderOptions::pin_memory); otherwise each copy
// is synchronous, as Tensor::to is.
#pragma once

#include <memory>
#include <optional>

#include "datasets/data_loader.h"

namespace camlab::datasets {

class DeviceBatches {
 public:
  DeviceBatches(DataLoader& loader, Device device);
  ~DeviceBatches();
  DeviceBatches(const DeviceBatches&) = delete;
  DeviceBatches& operator=(const DeviceBatches&) = delete;

  // The next batch with images and labels on the device (indices stay on the CPU); nullopt
  // after the epoch's last batch.
  std::optional<Batch> next();

 private:
  struct InFlight;  // the batch whose copy was started last
  void start(std::optional<Batch> host);

  DataLoader& loader_;
  Device device_;
  std::unique_ptr<InFlight> in_flight_;
  bool finished_ = false;  // the loader has served the epoch's last batch
};

}  // namespace camlab::datasets
