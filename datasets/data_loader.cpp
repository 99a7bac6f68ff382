#include "datasets/data_loader.h"

#include <algorithm>
#include <numeric>

#include "datasets/seeding.h"
#include "tensor/error.h"
#include "tensor/generator.h"
#if CAMLAB_WITH_CUDA
#include "tensor/cuda/device.h"
#include "tensor/cuda/pinned.h"
#endif

namespace camlab::datasets {
namespace {

// One item's pixels as float [C, H, W]: uint8 scaled to [0, 1], float32 copied.
void load_pixels(const Tensor& images, int64_t item, float* out) {
  const int64_t count = images.numel() / images.size(0);
  if (images.dtype() == DType::UInt8) {
    const uint8_t* src = images.data<uint8_t>() + item * count;
    for (int64_t k = 0; k < count; ++k) out[k] = static_cast<float>(src[k]) * (1.0f / 255.0f);
  } else {
    const float* src = images.data<float>() + item * count;
    std::copy(src, src + count, out);
  }
}

}  // namespace

namespace {

// A batch buffer: pinned host memory when the loader pins (see LoaderOptions::pin_memory).
Tensor batch_buffer(const Shape& shape, DType dtype, bool pinned) {
#if CAMLAB_WITH_CUDA
  if (pinned) return cuda::pinned_empty(shape, dtype);
#endif
  (void)pinned;
  return Tensor::empty(shape, dtype);
}

}  // namespace

DataLoader::DataLoader(ImageDataset dataset, LoaderOptions options, Pipeline transforms)
    : dataset_(std::move(dataset)), options_(options), transforms_(std::move(transforms)) {
  CAMLAB_CHECK(options_.batch_size > 0 && options_.prefetch >= 0 && options_.threads >= 1,
               "DataLoader '{}': batch_size {}, prefetch {}, threads {}; valid: batch_size >= 1, "
               "prefetch >= 0, threads >= 1",
               dataset_.name, options_.batch_size, options_.prefetch, options_.threads);
  CAMLAB_CHECK(options_.sharding.shards >= 1 && options_.sharding.shard >= 0 &&
                   options_.sharding.shard < options_.sharding.shards,
               "DataLoader '{}': shard {} of {} does not exist (valid: 0..{})", dataset_.name,
               options_.sharding.shard, options_.sharding.shards, options_.sharding.shards - 1);
  dataset_.validate("DataLoader '" + dataset_.name + "'");
#if CAMLAB_WITH_CUDA
  CAMLAB_CHECK(!options_.pin_memory || cuda::device_count() > 0,
               "DataLoader '{}': pin_memory needs a CUDA GPU and none is available; leave "
               "pin_memory off on the CPU",
               dataset_.name);
#else
  CAMLAB_CHECK(!options_.pin_memory,
               "DataLoader '{}': pin_memory needs the CUDA backend, which this build lacks "
               "(configure with -DCAMLAB_CUDA=ON); leave pin_memory off on the CPU",
               dataset_.name);
#endif
  // Contiguous once here, so building a batch is plain pointer arithmetic.
  dataset_.images = dataset_.images.contiguous();
  dataset_.labels = dataset_.labels.contiguous();
  transforms_.fit(dataset_);
}

DataLoader::~DataLoader() { stop(); }

int64_t DataLoader::num_batches() const {
  const int64_t n = num_samples(), b = options_.batch_size;
  // Not (n + b - 1) / b: batch_size may be near 2^63 (a batch larger than the data is one short
  // batch, as in PyTorch's DataLoader) and the sum would wrap.
  return n / b + (!options_.drop_last && n % b != 0 ? 1 : 0);
}

int64_t DataLoader::num_samples() const { return shard_size(dataset_.size(), options_.sharding); }

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
  std::vector<int64_t> all(static_cast<size_t>(dataset_.size()));
  if (!options_.shuffle) {
    std::iota(all.begin(), all.end(), 0);
  } else {
    const uint64_t key =
        derive_seed(derive_seed(options_.seed, kShuffleStream), static_cast<uint64_t>(epoch));
    all = Generator(key).permutation(dataset_.size());
  }
  const Sharding& s = options_.sharding;
  if (s.shards == 1) return all;
  return shard_order(all, s.shards, s.shard, s.pad);
}

Batch DataLoader::batch(int64_t epoch, int64_t index) const {
  return build(order(epoch), epoch, index);
}

Batch DataLoader::build(const std::vector<int64_t>& order, int64_t epoch, int64_t index) const {
  CAMLAB_CHECK(index >= 0 && index < num_batches(),
               "DataLoader '{}': batch {} does not exist; epochs have {} batches (0..{})",
               dataset_.name, index, num_batches(), num_batches() - 1);
  const int64_t first = index * options_.batch_size;
  const int64_t b = std::min(options_.batch_size, num_samples() - first);
  const int64_t c = dataset_.channels(), h = dataset_.height(), w = dataset_.width();
  Batch out;
  out.epoch = epoch;
  out.index = index;
  out.images = batch_buffer({b, c, h, w}, DType::Float32, options_.pin_memory);  // [B, C, H, W]
  out.indices = Tensor::empty({b}, DType::Int64);                                // [B]
  float* images = out.images.data<float>();
  int64_t* indices = out.indices.data<int64_t>();
  for (int64_t j = 0; j < b; ++j) indices[j] = order[static_cast<size_t>(first + j)];
  // An exception must not leave an OpenMP region: keep the first and rethrow after it.
  std::exception_ptr error;
#pragma omp parallel for num_threads(options_.threads) if (options_.threads > 1)
  for (int64_t j = 0; j < b; ++j) {
    try {
      float* pixels = images + j * c * h * w;
      load_pixels(dataset_.images, indices[j], pixels);
      transforms_.apply({pixels, c, h, w}, options_.seed, epoch, indices[j]);
    } catch (...) {
#pragma omp critical(camlab_data_loader_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  if (dataset_.is_multilabel()) {
    const int64_t k = dataset_.labels.size(1);
    out.labels = batch_buffer({b, k}, DType::Float32, options_.pin_memory);  // [B, K]
    const uint8_t* hot = dataset_.labels.data<uint8_t>();
    for (int64_t j = 0; j < b; ++j) {
      for (int64_t i = 0; i < k; ++i) out.labels.data<float>()[j * k + i] = hot[indices[j] * k + i];
    }
  } else {
    out.labels = batch_buffer({b}, DType::Int64, options_.pin_memory);  // [B]
    for (int64_t j = 0; j < b; ++j) {
      out.labels.data<int64_t>()[j] = dataset_.labels.data<int64_t>()[indices[j]];
    }
  }
  return out;
}

void DataLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  CAMLAB_CHECK(epoch >= 0 && first_batch >= 0 && first_batch <= num_batches(),
               "DataLoader '{}': cannot start epoch {} at batch {}; valid: epoch >= 0 and batch "
               "in 0..{}",
               dataset_.name, epoch, first_batch, num_batches());
  stop();
  started_ = true;
  epoch_ = epoch;
  next_batch_ = first_batch;
  order_ = order(epoch);
  ready_.clear();
  stopping_ = finished_ = false;
  error_ = nullptr;
  if (options_.prefetch > 0) worker_ = std::thread([this, first_batch] { produce(first_batch); });
}

void DataLoader::produce(int64_t first_batch) {
  try {
    for (int64_t index = first_batch; index < num_batches(); ++index) {
      Batch batch = build(order_, epoch_, index);
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || static_cast<int64_t>(ready_.size()) < options_.prefetch;
      });
      if (stopping_) return;
      ready_.push_back(std::move(batch));
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

std::optional<Batch> DataLoader::next() {
  CAMLAB_CHECK(started_, "DataLoader '{}': call start_epoch(epoch) before next()", dataset_.name);
  if (options_.prefetch == 0) {
    if (next_batch_ >= num_batches()) return std::nullopt;
    return build(order_, epoch_, next_batch_++);
  }
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (!ready_.empty()) {
    Batch batch = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return batch;
  }
  if (error_) std::rethrow_exception(error_);
  return std::nullopt;
}

void DataLoader::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

}  // namespace camlab::datasets
