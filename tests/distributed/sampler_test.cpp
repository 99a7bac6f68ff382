// Rank-sharded sampling: every rank the same count (padding wraps round, as DistributedSampler),
// shares that cover the epoch's order, and a DataLoader serving its shard.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "datasets/data_loader.h"
#include "datasets/shard_order.h"

namespace camlab::datasets {
namespace {

std::vector<int64_t> iota_order(int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 100);  // values that are not positions
  return order;
}

TEST(Sampler, PaddedSharesHaveEqualCountsAndCoverEverything) {
  for (int64_t n : {0, 1, 5, 10, 11, 12, 97}) {
    for (int64_t shards : {1, 2, 3, 4, 7}) {
      const std::vector<int64_t> order = iota_order(n);
      std::multiset<int64_t> all;
      const int64_t expected = (n + shards - 1) / shards;
      for (int64_t r = 0; r < shards; ++r) {
        std::vector<int64_t> mine = shard_order(order, shards, r, true);
        EXPECT_EQ(static_cast<int64_t>(mine.size()), expected) << n << " over " << shards;
        EXPECT_EQ(static_cast<int64_t>(mine.size()), shard_size(n, {shards, r, true}));
        all.insert(mine.begin(), mine.end());
      }
      EXPECT_EQ(static_cast<int64_t>(all.size()), expected * shards);
      for (int64_t v : order) EXPECT_GE(all.count(v), 1u) << v << " missing, n " << n;
    }
  }
}

TEST(Sampler, PaddingWrapsRoundToTheStart) {
  // 5 over 2: positions 0..5, where position 5 is position 0 again.
  EXPECT_EQ(shard_order({7, 3, 5, 1, 0}, 2, 0, true), (std::vector<int64_t>{7, 5, 0}));
  EXPECT_EQ(shard_order({7, 3, 5, 1, 0}, 2, 1, true), (std::vector<int64_t>{3, 1, 7}));
}

TEST(Sampler, UnpaddedSharesAreDisjointAndComplete) {
  for (int64_t n : {1, 10, 11, 13}) {
    const std::vector<int64_t> order = iota_order(n);
    std::vector<int64_t> all;
    for (int64_t r = 0; r < 3; ++r) {
      std::vector<int64_t> mine = shard_order(order, 3, r, false);
      EXPECT_EQ(static_cast<int64_t>(mine.size()), shard_size(n, {3, r, false}));
      all.insert(all.end(), mine.begin(), mine.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, order) << "each index exactly once, n " << n;
  }
}

TEST(Sampler, BadShardIsAnErrorNamingTheValidRange) {
  try {
    shard_order({1, 2}, 2, 2, true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("valid: 0..1"), std::string::npos) << e.what();
  }
}

ImageDataset tiny_dataset(int64_t n) {
  ImageDataset d;
  d.name = "tiny";
  d.images = Tensor::empty({n, 1, 2, 2}, DType::UInt8);
  d.labels = Tensor::empty({n}, DType::Int64);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t p = 0; p < 4; ++p) d.images.data<uint8_t>()[i * 4 + p] = static_cast<uint8_t>(i);
    d.labels.data<int64_t>()[i] = i % 2;
  }
  d.class_names = {"even", "odd"};
  return d;
}

// 11 images over 3 ranks, batch 2: each rank 4 images in 2 batches (one padded image in all),
// and the union of the shards of an epoch is the one shuffled order of that epoch.
TEST(Sampler, ShardedLoadersTakeTheSameStepsAndSplitOneOrder) {
  const ImageDataset data = tiny_dataset(11);
  DataLoader whole(data, {.batch_size = 2, .seed = 9, .prefetch = 0});
  std::vector<int64_t> order = whole.order(4);
  std::vector<int64_t> gathered;
  for (int64_t r = 0; r < 3; ++r) {
    DataLoader shard(data, {.batch_size = 2, .seed = 9, .prefetch = 0, .sharding = {3, r, true}});
    EXPECT_EQ(shard.num_samples(), 4);
    EXPECT_EQ(shard.num_batches(), 2);
    EXPECT_EQ(shard.order(4), shard_order(order, 3, r, true));
    shard.start_epoch(4);
    while (std::optional<Batch> b = shard.next()) {
      for (int64_t j = 0; j < b->indices.numel(); ++j) {
        gathered.push_back(b->indices.data<int64_t>()[j]);
      }
    }
  }
  EXPECT_EQ(gathered.size(), 12u);
  std::set<int64_t> distinct(gathered.begin(), gathered.end());
  EXPECT_EQ(distinct.size(), 11u) << "every image served, one twice (the padding)";
}

}  // namespace
}  // namespace camlab::datasets
