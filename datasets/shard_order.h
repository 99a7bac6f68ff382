// One rank's share of an epoch's order, as PyTorch's DistributedSampler: rank r of R takes
// positions r, r + R, r + 2R, ... With padding, the order is first extended by wrapping round
// to a multiple of R, so every rank gets the same count and takes the same number of steps
// (a collective per step needs every rank there); without it, the shares are disjoint and
// together hold each index exactly once (evaluation, whose sums are reduced).
//
//   shard_order({7, 3, 5, 1, 0}, /*shards=*/2, /*shard=*/1, /*pad=*/true);   // {3, 1, 7}
//   shard_order({7, 3, 5, 1, 0}, 2, 1, /*pad=*/false);                      // {3, 1}
#pragma once

#include <cstdint>
#include <vector>

namespace camlab::datasets {

struct Sharding {
  int64_t shards = 1;  // ranks
  int64_t shard = 0;   // this rank, 0..shards-1
  bool pad = true;     // wrap round so every shard has ceil(n / shards) items
};

std::vector<int64_t> shard_order(const std::vector<int64_t>& order, int64_t shards, int64_t shard,
                                 bool pad);

// How many items `sharding`'s shard of n gets.
int64_t shard_size(int64_t n, const Sharding& sharding);

}  // namespace camlab::datasets
