// Gradient buckets: reverse parameter order, a bucket closes once it reaches the cap, and
// DataParallel assigns a real model's parameters that way.
#include <gtest/gtest.h>

#include "distributed/data_parallel.h"
#include "distributed/gradient_buckets.h"
#include "distributed/local_communicator.h"
#include "tests/distributed/mlp.h"

namespace camlab::distributed {
namespace {

using Buckets = std::vector<std::vector<size_t>>;

TEST(Bucketing, ReverseOrderClosingAtTheCap) {
  EXPECT_EQ(assign_buckets({1152, 128, 2560, 40}, 2600), (Buckets{{3, 2}, {1, 0}}));
  EXPECT_EQ(assign_buckets({100, 100, 100, 100, 100}, 250), (Buckets{{4, 3, 2}, {1, 0}}));
}

TEST(Bucketing, LargeCapIsOneBucketAndZeroCapOnePerTensor) {
  EXPECT_EQ(assign_buckets({10, 20, 30}, 1 << 20), (Buckets{{2, 1, 0}}));
  EXPECT_EQ(assign_buckets({10, 20, 30}, 0), (Buckets{{2}, {1}, {0}}));
  EXPECT_TRUE(assign_buckets({}, 100).empty());
}

TEST(Bucketing, EveryParameterInExactlyOneBucket) {
  std::vector<int64_t> bytes;
  for (int64_t k = 0; k < 37; ++k) bytes.push_back(4 * (k * 13 % 17 + 1));
  std::vector<int> seen(bytes.size(), 0);
  for (const auto& bucket : assign_buckets(bytes, 100)) {
    for (size_t k : bucket) ++seen[k];
  }
  for (size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], 1) << "parameter " << k;
}

// fc1: 8·16 + 16, fc2: 16·16 + 16, fc3: 16·4 + 4 floats. A 1 KiB cap (1024 bytes = 256 floats):
// fc3.bias + fc3.weight (68) + fc2.bias (84) + fc2.weight (340) closes the first bucket.
TEST(Bucketing, DataParallelBucketsTheModelInReverse) {
  auto net = test::mlp(1);
  LocalCommunicator comm;
  DataParallel ddp(*net, comm, {.bucket_mb = 1.0 / 1024});
  const std::vector<std::vector<std::string>> expected = {
      {"fc3.bias", "fc3.weight", "fc2.bias", "fc2.weight"}, {"fc1.bias", "fc1.weight"}};
  EXPECT_EQ(ddp.bucket_names(), expected);
}

}  // namespace
}  // namespace camlab::distributed
