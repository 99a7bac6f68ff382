#include "datasets/shard_order.h"

#include "tensor/error.h"

namespace camlab::datasets {

std::vector<int64_t> shard_order(const std::vector<int64_t>& order, int64_t shards, int64_t shard,
                                 bool pad) {
  CAMLAB_CHECK(shards >= 1 && shard >= 0 && shard < shards,
               "shard_order: shard {} of {} does not exist (valid: 0..{})", shard, shards,
               shards - 1);
  const auto n = static_cast<int64_t>(order.size());
  const int64_t total = pad ? (n + shards - 1) / shards * shards : n;
  std::vector<int64_t> mine;
  mine.reserve(static_cast<size_t>(total / shards + 1));
  // Padding repeats the order from its start (several times when n < shards).
  for (int64_t i = shard; i < total && n > 0; i += shards) {
    mine.push_back(order[static_cast<size_t>(i % n)]);
  }
  return mine;
}

int64_t shard_size(int64_t n, const Sharding& sharding) {
  if (sharding.pad || n == 0) return (n + sharding.shards - 1) / sharding.shards;
  return n / sharding.shards + (sharding.shard < n % sharding.shards ? 1 : 0);
}

}  // namespace camlab::datasets
