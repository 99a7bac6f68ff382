// DataLoader: seeded, shuffled float batches of an ImageDataset, prepared ahead on a background
// thread so the training step never waits on augmentation.
//
//   DataLoader loader(train_set, {.batch_size = 64, .seed = 0}, Pipeline::parse({"hflip"}));
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.start_epoch(epoch);                  // resume: loader.start_epoch(epoch, batch)
//     while (std::optional<Batch> b = loader.next()) train_step(b->images, b->labels);
//   }
//
// Epoch e's order is a pure function of (seed, e) and each sample's augmentation of (seed, e,
// dataset index), so a resumed run sees exactly the batches an uninterrupted one would have.
// The constructor fits transforms not fitted yet (normalize) on its dataset: for an evaluation
// loader pass train_pipeline.eval_only() after the training loader exists (or after fit(train)).
// Copying a pipeline shares its transforms, so such fitting is visible to every copy.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "datasets/image_dataset.h"
#include "datasets/pipeline.h"
#include "datasets/shard_order.h"

namespace camlab::datasets {

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;  // skip a last batch smaller than batch_size
  uint64_t seed = 0;
  int64_t prefetch = 2;  // batches built ahead by the background thread; 0: built inside next()
  int64_t threads = 1;   // OpenMP threads that build one batch (results do not depend on it)
  // Build batches in page-locked host memory, so that copying them to a GPU is one DMA transfer
  // at full bus speed. Only in builds with the CUDA backend, and only with a GPU present.
  bool pin_memory = false;
  // Data parallelism: serve only this rank's share of each epoch's order (shard_order.h).
  Sharding sharding;
};

struct Batch {
  Tensor images;   // [B, C, H, W] float32: uint8 pixels / 255, then the transforms
  Tensor labels;   // [B] int64, or [B, K] float32 for multi-hot labels
  Tensor indices;  // [B] int64, which dataset items these are
  int64_t epoch = 0;
  int64_t index = 0;  // batch number within the epoch
};

class DataLoader {
 public:
  DataLoader(ImageDataset dataset, LoaderOptions options, Pipeline transforms = {});
  ~DataLoader();  // stops the background thread, also in the middle of an epoch
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  int64_t num_batches() const;
  // Items per epoch: the dataset's size, or this shard's share of it.
  int64_t num_samples() const;
  // The dataset indices of epoch `epoch` in the order they are served (this shard's only).
  std::vector<int64_t> order(int64_t epoch) const;
  // Batch `index` of `epoch`, built now on the calling thread (what next() would return).
  Batch batch(int64_t epoch, int64_t index) const;

  // Begins serving `epoch` from batch `first_batch` (0 for a fresh epoch).
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  // The next batch of the current epoch; nullopt after its last batch.
  std::optional<Batch> next();

  const ImageDataset& dataset() const { return dataset_; }
  const LoaderOptions& options() const { return options_; }
  const Pipeline& transforms() const { return transforms_; }

 private:
  Batch build(const std::vector<int64_t>& order, int64_t epoch, int64_t index) const;
  void produce(int64_t first_batch);  // the background thread's loop
  void stop();

  ImageDataset dataset_;
  LoaderOptions options_;
  Pipeline transforms_;

  // The epoch being served.
  bool started_ = false;
  int64_t epoch_ = 0;
  int64_t next_batch_ = 0;      // used when prefetch == 0
  std::vector<int64_t> order_;  // [N] for epoch_

  // The bounded queue between the background thread and next().
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  bool stopping_ = false;
  bool finished_ = false;
  std::exception_ptr error_;
};

}  // namespace camlab::datasets
