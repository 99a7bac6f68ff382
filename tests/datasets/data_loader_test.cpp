// DataLoader: coverage, seeded order, drop_last, resume, prefetch thread behaviour.
#include "datasets/data_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "datasets/shapes.h"
#include "tensor/cuda/device.h"
#if CAMLAB_WITH_CUDA
#include "tensor/cuda/pinned.h"
#endif
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

ImageDataset small_set(int64_t n) { return make_shapes({.n = n, .size = 12, .seed = 1}); }

std::vector<Batch> whole_epoch(DataLoader& loader, int64_t epoch, int64_t first = 0) {
  loader.start_epoch(epoch, first);
  std::vector<Batch> out;
  while (std::optional<Batch> b = loader.next()) out.push_back(std::move(*b));
  return out;
}

std::vector<int64_t> indices_of(const std::vector<Batch>& batches) {
  std::vector<int64_t> out;
  for (const Batch& b : batches) {
    out.insert(out.end(), b.indices.data<int64_t>(), b.indices.data<int64_t>() + b.indices.numel());
  }
  return out;
}

bool same(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

bool same_batches(const Batch& a, const Batch& b) {
  return same(a.images, b.images) && same(a.labels, b.labels) && same(a.indices, b.indices);
}

TEST(DataLoader, EveryIndexExactlyOncePerEpochWithMatchingContent) {
  const ImageDataset d = small_set(103);
  DataLoader loader(d, {.batch_size = 10, .seed = 3});
  EXPECT_EQ(loader.num_batches(), 11);
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    const std::vector<Batch> batches = whole_epoch(loader, epoch);
    ASSERT_EQ(batches.size(), 11u);
    EXPECT_EQ(batches.back().images.shape(), (Shape{3, 1, 12, 12}));
    std::vector<int64_t> seen = indices_of(batches);
    std::sort(seen.begin(), seen.end());
    for (int64_t i = 0; i < 103; ++i) ASSERT_EQ(seen[i], i) << "epoch " << epoch;
  }
  // Without transforms a batch holds the items' pixels / 255 and their labels.
  const Batch b = loader.batch(0, 4);
  for (int64_t j = 0; j < 10; ++j) {
    const int64_t item = b.indices.at<int64_t>({j});
    EXPECT_EQ(b.labels.at<int64_t>({j}), d.labels.at<int64_t>({item}));
    EXPECT_FLOAT_EQ(b.images.at<float>({j, 0, 5, 7}),
                    d.images.at<uint8_t>({item, 0, 5, 7}) / 255.0f);
  }
}

TEST(DataLoader, OrderIsAPureFunctionOfSeedAndEpoch) {
  const ImageDataset d = small_set(50);
  DataLoader a(d, {.batch_size = 8, .seed = 7}), b(d, {.batch_size = 8, .seed = 7});
  DataLoader other_seed(d, {.batch_size = 8, .seed = 8});
  EXPECT_EQ(indices_of(whole_epoch(a, 0)), indices_of(whole_epoch(b, 0)));
  EXPECT_EQ(a.order(5), b.order(5));
  EXPECT_NE(a.order(0), a.order(1));
  EXPECT_NE(a.order(0), other_seed.order(0));
  DataLoader in_order(d, {.batch_size = 8, .shuffle = false});
  EXPECT_EQ(in_order.order(3)[0], 0);
  EXPECT_EQ(in_order.order(3)[49], 49);
}

TEST(DataLoader, DropLastSkipsTheShortBatch) {
  DataLoader loader(small_set(103), {.batch_size = 10, .drop_last = true});
  EXPECT_EQ(loader.num_batches(), 10);
  const std::vector<Batch> batches = whole_epoch(loader, 0);
  ASSERT_EQ(batches.size(), 10u);
  for (const Batch& b : batches) EXPECT_EQ(b.indices.numel(), 10);
  std::vector<int64_t> seen = indices_of(batches);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "no item twice";
}

TEST(DataLoader, ResumeGivesTheBatchesOfAnUninterruptedRun) {
  const ImageDataset d = small_set(60);
  const std::vector<std::string> augment{"random_crop:2", "hflip", "random_affine"};
  DataLoader full(d, {.batch_size = 8, .seed = 11}, Pipeline::parse(augment));
  const std::vector<Batch> uninterrupted = whole_epoch(full, 2);
  DataLoader resumed(d, {.batch_size = 8, .seed = 11}, Pipeline::parse(augment));
  const std::vector<Batch> tail = whole_epoch(resumed, 2, 5);
  ASSERT_EQ(tail.size(), uninterrupted.size() - 5);
  for (size_t i = 0; i < tail.size(); ++i) {
    EXPECT_EQ(tail[i].index, static_cast<int64_t>(i + 5));
    EXPECT_TRUE(same_batches(tail[i], uninterrupted[i + 5])) << "batch " << i + 5;
  }
  // Augmentation differs between epochs for the same item.
  EXPECT_FALSE(same(full.batch(2, 0).images, full.batch(3, 0).images));
}

TEST(DataLoader, PrefetchAndThreadsDoNotChangeBatches) {
  const ImageDataset d = small_set(40);
  const Pipeline augment = Pipeline::parse({"random_crop:1", "hflip"});
  DataLoader ahead(d, {.batch_size = 6, .seed = 2, .prefetch = 3}, augment);
  DataLoader inline_(d, {.batch_size = 6, .seed = 2, .prefetch = 0}, augment);
  DataLoader parallel(d, {.batch_size = 6, .seed = 2, .prefetch = 1, .threads = 2}, augment);
  const std::vector<Batch> a = whole_epoch(ahead, 1), b = whole_epoch(inline_, 1),
                           c = whole_epoch(parallel, 1);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), c.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(same_batches(a[i], b[i])) << i;
    EXPECT_TRUE(same_batches(a[i], c[i])) << i;
  }
}

TEST(DataLoader, StopsCleanlyMidEpochAndRestarts) {
  const ImageDataset d = small_set(200);
  for (int round = 0; round < 20; ++round) {
    DataLoader loader(d, {.batch_size = 4, .seed = 1, .prefetch = 2});
    loader.start_epoch(0);
    ASSERT_TRUE(loader.next().has_value());
    if (round % 2) {
      loader.start_epoch(1, 3);  // abandon epoch 0 with batches still queued
      std::optional<Batch> b = loader.next();
      ASSERT_TRUE(b.has_value());
      EXPECT_EQ(b->epoch, 1);
      EXPECT_EQ(b->index, 3);
    }
  }  // each loader is destroyed with its thread blocked on a full queue
}

TEST(DataLoader, EvalLoaderNormalizesWithTrainingStatistics) {
  const ImageDataset train = make_shapes({.n = 64, .size = 12, .seed = 1, .noise = 0.1});
  const ImageDataset bright = make_shapes({.n = 64, .size = 12, .seed = 2, .noise = 0.9});
  const Pipeline pipeline = Pipeline::parse({"hflip", "normalize"});
  DataLoader train_loader(train, {.batch_size = 64}, pipeline);
  DataLoader eval_loader(bright, {.batch_size = 64}, pipeline.eval_only());
  auto mean_of = [](const Batch& b) {
    double sum = 0;
    for (int64_t i = 0; i < b.images.numel(); ++i) sum += b.images.data<float>()[i];
    return sum / static_cast<double>(b.images.numel());
  };
  EXPECT_NEAR(mean_of(train_loader.batch(0, 0)), 0.0, 1e-4);
  EXPECT_GT(mean_of(eval_loader.batch(0, 0)), 1.0) << "brighter data, training statistics";
}

TEST(DataLoader, MultiHotLabelsBecomeFloatRows) {
  ImageDataset d;
  d.name = "multi";
  d.images = Tensor::empty({4, 1, 2, 2}, DType::UInt8);
  std::memset(d.images.raw_data(), 0, 16);
  d.labels = Tensor::from_vector<uint8_t>({1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0}, {4, 3});
  DataLoader loader(d, {.batch_size = 4, .shuffle = false});
  const Batch b = loader.batch(0, 0);
  ASSERT_EQ(b.labels.shape(), (Shape{4, 3}));
  EXPECT_EQ(b.labels.dtype(), DType::Float32);
  EXPECT_EQ(b.labels.at<float>({1, 1}), 1.0f);
  EXPECT_EQ(b.labels.at<float>({2, 0}), 0.0f);
  EXPECT_EQ(b.labels.at<float>({3, 0}), 1.0f);
}

TEST(DataLoader, ErrorsReachTheCaller) {
  const ImageDataset d = small_set(10);
  DataLoader loader(d, {.batch_size = 4}, Pipeline().add(normalize({0.1, 0.2, 0.3}, {1, 1, 1})));
  test::expect_error([&] { loader.next(); }, {"start_epoch(epoch) before next()"});
  loader.start_epoch(0);
  // Built on the background thread, rethrown here.
  test::expect_error([&] { loader.next(); }, {"normalize: 3 mean/std values", "1 channels"});
  test::expect_error([&] { loader.start_epoch(0, 4); }, {"batch 4", "0..3"});
  test::expect_error([&] { DataLoader bad(d, {.batch_size = 0}); }, {"batch_size >= 1"});
}

// Pinned batches hold the same values as ordinary ones; without a GPU (or without the CUDA
// backend) asking for them is a one-line error that says to leave pin_memory off.
TEST(DataLoader, PinnedBatchesMatchOrdinaryOnesOrFailClearlyWithoutAGpu) {
  const ImageDataset d = small_set(10);
  if (cuda::device_count() == 0) {
    test::expect_error([&] { DataLoader pinned(d, {.batch_size = 4, .pin_memory = true}); },
                       {"pin_memory", "leave pin_memory off"});
    return;
  }
#if CAMLAB_WITH_CUDA
  DataLoader pinned(d, {.batch_size = 4, .seed = 3, .pin_memory = true});
  DataLoader ordinary(d, {.batch_size = 4, .seed = 3});
  const std::vector<Batch> a = whole_epoch(pinned, 0), b = whole_epoch(ordinary, 0);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(cuda::is_pinned(a[i].images)) << i;
    EXPECT_TRUE(cuda::is_pinned(a[i].labels)) << i;
    EXPECT_TRUE(same_batches(a[i], b[i])) << i;
  }
#endif
}

}  // namespace
}  // namespace camlab::datasets
