// Batch norm with statistics over ranks (nn/sync_batch_norm.h), without MPI: fake reducers stand
// in for the ranks. The MPI test (tests/distributed/mpi) checks real ranks against one process.
#include "nn/sync_batch_norm.h"

#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "nn/batch_norm.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::max_abs_diff;
using test::values;

// One rank: the sum over ranks is the tensor itself.
class OneRank : public BatchStatReducer {
 public:
  Tensor sum_over_ranks(const Tensor& local) override { return local.clone(); }
};

// Two ranks holding the same batch and receiving the same upstream gradient: the sum is twice
// the local value, in forward and in backward. Then rank 0's gradient of Σ_r L_r is also the
// derivative of its own L with both ranks' x moved together, which finite differences measure.
class TwoIdenticalRanks : public BatchStatReducer {
 public:
  Tensor sum_over_ranks(const Tensor& local) override { return ops::mul(local, 2.0); }
};

Tensor random(const Shape& shape, uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  Tensor t = ops::randn(shape, gen, dtype);
  return ops::add(ops::mul(t, 1.5), 0.7);  // mean and scale away from 0 and 1
}

TEST(SyncBatchNorm, OneRankEqualsPlainBatchNorm) {
  const Tensor x = random({4, 3, 5, 5}, 1, DType::Float32);  // [N, C, H, W]
  BatchNorm2d plain(3), synced(3);
  synced.set_stat_reducer(std::make_shared<OneRank>());
  const Tensor want = plain(x), got = synced(x);
  EXPECT_LT(max_abs_diff(got, want), 1e-5);
  EXPECT_LT(max_abs_diff(synced.running_mean, plain.running_mean), 1e-6);
  EXPECT_LT(max_abs_diff(synced.running_var, plain.running_var), 1e-5);
  EXPECT_EQ(values(synced.num_batches_tracked), values(plain.num_batches_tracked));
  synced.eval(), plain.eval();  // eval uses the running statistics on both
  EXPECT_LT(max_abs_diff(synced(x), plain(x)), 1e-5);
}

// Counts its calls: an eval forward must not communicate, with or without running statistics.
class CountingRank : public BatchStatReducer {
 public:
  Tensor sum_over_ranks(const Tensor& local) override {
    ++calls;
    return local.clone();
  }
  int calls = 0;
};

TEST(SyncBatchNorm, EvalNeverCommunicates) {
  const Tensor x = random({2, 3, 4, 4}, 5, DType::Float32);  // [N, C, H, W]
  for (bool track : {true, false}) {
    BatchNorm2d bn(3, {.track_running_stats = track});
    auto reducer = std::make_shared<CountingRank>();
    bn.set_stat_reducer(reducer);
    bn.eval();
    (void)bn(x);
    EXPECT_EQ(reducer->calls, 0) << "track_running_stats " << track;
    bn.train();
    (void)bn(x);
    EXPECT_GT(reducer->calls, 0) << "track_running_stats " << track;
  }
}

TEST(SyncBatchNorm, GradientThroughSyncedStatisticsMatchesFiniteDifferences) {
  auto input = [](const Shape& shape, uint64_t seed) {
    Tensor t = random(shape, seed);
    t.set_requires_grad(true);
    return t;
  };
  const Tensor x = input({3, 2, 3, 3}, 2), weight = input({2}, 3), bias = input({2}, 4);
  auto reducer = std::make_shared<TwoIdenticalRanks>();
  auto f = [reducer](const std::vector<Tensor>& in) {
    Tensor no_running_mean, no_running_var;
    return sync_batch_norm(in[0], in[1], in[2], no_running_mean, no_running_var, 0.1, 1e-5,
                           reducer);
  };
  const autograd::GradcheckResult r = autograd::gradcheck(f, {x, weight, bias});
  EXPECT_TRUE(r.ok) << r.message;
}

// Two identical ranks of batch N are one process with the batch [x; x] of 2N: rank 0's output is
// the first half of the plain output, and its input gradient the first half's (the loss Σ_r L_r
// of the two ranks is the plain loss over both halves).
TEST(SyncBatchNorm, TwoRanksEqualPlainBatchNormOverTheUnion) {
  const Tensor x = random({3, 2, 4, 4}, 5);  // [N, C, H, W]
  const Tensor v = random({3, 2, 4, 4}, 6);  // upstream gradient, the same on both ranks
  const Tensor weight = random({2}, 7), bias = random({2}, 8);  // [C]
  Tensor rank_x = x.clone();
  rank_x.set_requires_grad(true);
  Tensor running_mean = ops::zeros({2}, DType::Float64),
         running_var = ops::ones({2}, DType::Float64);
  const Tensor rank_y = sync_batch_norm(rank_x, weight, bias, running_mean, running_var, 0.1, 1e-5,
                                        std::make_shared<TwoIdenticalRanks>());
  backward(sum(rank_y * v));

  Tensor union_x = cat({x, x}, 0);  // [2N, C, H, W]
  union_x.set_requires_grad(true);
  Tensor union_mean = ops::zeros({2}, DType::Float64), union_var = ops::ones({2}, DType::Float64);
  const Tensor union_y = batch_norm(union_x, weight, bias, union_mean, union_var, true, 0.1, 1e-5);
  backward(sum(union_y * cat({v, v}, 0)));

  EXPECT_LT(max_abs_diff(rank_y, narrow(union_y, 0, 0, 3)), 1e-12);
  EXPECT_LT(max_abs_diff(rank_x.grad(), narrow(union_x.grad(), 0, 0, 3)), 1e-12);
  EXPECT_LT(max_abs_diff(running_mean, union_mean), 1e-12);
  EXPECT_LT(max_abs_diff(running_var, union_var), 1e-12);
}

TEST(SyncBatchNorm, OneValuePerChannelOverAllRanksIsAnError) {
  Tensor none;
  const Tensor x = random({1, 2, 1, 1}, 9);
  auto one_rank = std::make_shared<OneRank>();
  EXPECT_ERROR_CONTAINS(sync_batch_norm(x, none, none, none, none, 0.1, 1e-5, one_rank),
                        "more than one value per channel", "[1, 2, 1, 1]");
}

}  // namespace
}  // namespace camlab::nn
