// Which parameters share an all-reduce: PyTorch DDP's bucketing (Li et al. 2020, "PyTorch
// Distributed", §3.2.3). Parameters go in reverse order, the order backward produces their
// gradients, and a bucket closes once it holds at least the cap, so the last layers' gradients
// travel while the first layers' are still being computed.
//
//   // bytes per parameter in model order: conv1.weight, conv1.bias, fc.weight, fc.bias
//   auto buckets = assign_buckets({1152, 128, 2560, 40}, /*cap_bytes=*/2600);
//   // {{3, 2}, {1, 0}}: fc.bias + fc.weight reach 2600 bytes; conv1's two are the rest
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace camlab::distributed {

// Indices into `bytes`, bucket by bucket, each bucket in reverse parameter order. A cap of 0
// (or less) puts every parameter in its own bucket.
std::vector<std::vector<size_t>> assign_buckets(const std::vector<int64_t>& bytes,
                                                int64_t cap_bytes);

}  // namespace camlab::distributed
