// The overlap: a bucket's all-reduce starts from the post-accumulate hook of its last gradient,
// while the backward is still computing the gradients of earlier layers.
#include <gtest/gtest.h>

#include <algorithm>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "distributed/data_parallel.h"
#include "distributed/local_communicator.h"
#include "tests/distributed/mlp.h"

namespace camlab::distributed {
namespace {

// The single-process communicator, logging each all-reduce start into a shared event list.
class RecordingCommunicator : public LocalCommunicator {
 public:
  explicit RecordingCommunicator(std::vector<std::string>& events) : events_(events) {}
  std::unique_ptr<PendingReduce> start_allreduce_sum(std::span<float> data) override {
    events_.push_back("allreduce " + std::to_string(data.size()));
    return LocalCommunicator::start_allreduce_sum(data);
  }

 private:
  std::vector<std::string>& events_;
};

TEST(Overlap, FirstBucketStartsBeforeBackwardEnds) {
  auto net = test::mlp(2);
  std::vector<std::string> events;
  RecordingCommunicator comm(events);
  DataParallel ddp(*net, comm, {.bucket_mb = 0});  // one bucket per tensor
  // Registered after DataParallel's own hooks, so each logs right after its bucket's start.
  std::vector<autograd::PostAccumulateHandle> probes;
  for (auto& [name, p] : net->named_parameters()) {
    probes.push_back(autograd::register_post_accumulate_hook(
        p, [&events, name](const Tensor&) { events.push_back("grad " + name); }));
  }
  auto [x, y] = test::mlp_data(16, 3);
  backward(cross_entropy((*net)(x), y));
  EXPECT_EQ(ddp.buckets_started(), 6u) << "every bucket started inside backward";

  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], "allreduce 4") << "fc3.bias (4 floats), the first gradient, starts at once";
  EXPECT_EQ(events[1], "grad fc3.bias");
  const auto first_reduce = std::find(events.begin(), events.end(), "allreduce 4");
  const auto last_grad = std::find(events.begin(), events.end(), "grad fc1.weight");
  ASSERT_NE(first_reduce, events.end());
  ASSERT_NE(last_grad, events.end());
  EXPECT_LT(first_reduce - events.begin(), last_grad - events.begin())
      << "fc3.bias's all-reduce must start before fc1.weight's gradient exists";

  Tensor before = net->named_parameters().at("fc1.weight").grad().clone();
  ddp.synchronize_gradients();
  EXPECT_EQ(ddp.buckets_started(), 0u) << "reset for the next step";
  // One rank: the mean over ranks is the rank's own gradient.
  Tensor after = net->named_parameters().at("fc1.weight").grad();
  for (int64_t i = 0; i < before.numel(); ++i) {
    EXPECT_EQ(after.data<float>()[i], before.data<float>()[i]);
  }
}

TEST(Overlap, SecondBackwardWithoutSynchronizeIsAnError) {
  auto net = test::mlp(2);
  LocalCommunicator comm;
  DataParallel ddp(*net, comm, {.bucket_mb = 0});
  auto [x, y] = test::mlp_data(8, 3);
  backward(cross_entropy((*net)(x), y));
  try {
    backward(cross_entropy((*net)(x), y));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("synchronize_gradients"), std::string::npos) << e.what();
  }
}

TEST(Overlap, UnusedParameterCountsAsZeroGradient) {
  auto net = test::mlp(2);
  LocalCommunicator comm;
  DataParallel ddp(*net, comm, {.bucket_mb = 0});
  auto [x, y] = test::mlp_data(8, 3);
  // Only fc1 and relu1 run: fc2 and fc3 get no gradient from the backward.
  Tensor h = net->find("fc1")(x);  // [8, 16]
  backward(sum(h));
  EXPECT_LT(ddp.buckets_started(), 6u) << "fc3's buckets wait for gradients that never come";
  ddp.synchronize_gradients();
  Tensor g = net->find("fc3").named_parameters().at("weight").grad();
  ASSERT_TRUE(g.defined());
  for (int64_t i = 0; i < g.numel(); ++i) EXPECT_EQ(g.data<float>()[i], 0.0f);
}

}  // namespace
}  // namespace camlab::distributed
