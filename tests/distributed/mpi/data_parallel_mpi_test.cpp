// Data parallelism over real MPI ranks. CTest runs this under `mpirun -np 2`
// (tests/CMakeLists.txt); each rank runs every test, and each rank computes the one-process
// reference itself.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "distributed/data_parallel.h"
#include "distributed/launch.h"
#include "distributed/local_communicator.h"
#include "distributed/sync_batch_norm.h"
#include "experiments/config/config.h"
#include "experiments/model/model_builder.h"
#include "experiments/train/evaluate.h"
#include "experiments/train/experiment_data.h"
#include "experiments/train/trainer.h"
#include "nn/checkpoint.h"
#include "nn/optim/sgd.h"
#include "tests/distributed/bn_net.h"
#include "tests/distributed/mlp.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::distributed {
namespace {

std::shared_ptr<Communicator> world() {
  std::shared_ptr<Communicator> comm = make_communicator("mpi");
  CAMLAB_CHECK(comm->size() == 2, "run under mpirun -np 2 (got {} ranks)", comm->size());
  return comm;
}

// max |a - b| <= tolerance · max |b|, per tensor, with the first differing value in the message.
void expect_same_weights(const nn::NamedTensors& got, const nn::NamedTensors& want,
                         double tolerance) {
  ASSERT_EQ(got.keys(), want.keys());
  for (const std::string& name : got.keys()) {
    const Tensor a = detach(got.at(name)).contiguous();  // same shape as b
    const Tensor b = detach(want.at(name)).contiguous();
    ASSERT_EQ(a.numel(), b.numel()) << name;
    double scale = 0, worst = 0;
    int64_t worst_at = 0;
    for (int64_t i = 0; i < a.numel(); ++i) {
      scale = std::max(scale, std::abs(double(b.data<float>()[i])));
      const double d = std::abs(double(a.data<float>()[i]) - double(b.data<float>()[i]));
      if (d > worst) worst = d, worst_at = i;
    }
    EXPECT_LE(worst, tolerance * scale)
        << name << "[" << worst_at << "]: " << a.data<float>()[worst_at] << " vs "
        << b.data<float>()[worst_at] << " (max |w| " << scale << ")";
  }
}

Tensor rows(const Tensor& t, const std::vector<int64_t>& which) {
  return ops::index_select(t, 0, Tensor::from_vector<int64_t>(which, {int64_t(which.size())}));
}

using NetFactory = std::function<std::shared_ptr<nn::Sequential>(uint64_t seed)>;

// The proof: 2 ranks × batch 32 take exactly the steps of 1 rank × batch 64 (20 SGD
// steps with momentum), with `sync_bn` the 2-rank net's batch norms using statistics over both.
void expect_two_ranks_of_32_equal_one_of_64(const NetFactory& make_net, const Tensor& x,
                                            const Tensor& y, bool sync_bn) {
  auto comm = world();
  constexpr int64_t kSteps = 20, kBatch = 64;
  ASSERT_GE(x.size(0), kSteps * kBatch);
  const nn::SGDOptions sgd{.lr = 0.1, .momentum = 0.9};

  auto reference = make_net(3);
  nn::SGD reference_opt(reference->parameters(), sgd);
  // Rank 1 starts from other weights: the broadcast must replace them with rank 0's.
  auto net = make_net(3 + static_cast<uint64_t>(comm->rank()));
  if (sync_bn) {
    EXPECT_EQ(synchronize_batch_norm(*net, comm), 1);
  }
  DataParallel ddp(*net, *comm, {.bucket_mb = 1.0 / 1024});  // two buckets
  ddp.broadcast_from_main();
  nn::SGD opt(net->parameters(), sgd);

  for (int64_t step = 0; step < kSteps; ++step) {
    std::vector<int64_t> global, mine;
    for (int64_t i = 0; i < kBatch; ++i) global.push_back(step * kBatch + i);
    for (size_t i = static_cast<size_t>(comm->rank()); i < global.size(); i += 2) {
      mine.push_back(global[i]);  // the sampler's stride: rank r takes r, r + 2, ...
    }
    reference_opt.zero_grad();
    backward(cross_entropy((*reference)(rows(x, global)), rows(y, global)));
    reference_opt.step();

    opt.zero_grad();
    backward(cross_entropy((*net)(rows(x, mine)), rows(y, mine)));
    ddp.synchronize_gradients();
    opt.step();
  }
  expect_same_weights(net->named_parameters(), reference->named_parameters(), 1e-5);
  if (sync_bn) {  // the running statistics too: they were updated with the global batch's
    for (const char* name : {"bn.running_mean", "bn.running_var"}) {
      nn::NamedTensors got, want;
      got.insert(name, net->named_buffers().at(name));
      want.insert(name, reference->named_buffers().at(name));
      expect_same_weights(got, want, 1e-5);
    }
  }
}

TEST(DataParallelMpi, TwoRanksOfBatch32EqualOneRankOfBatch64) {
  auto [x, y] = test::mlp_data(20 * 64, 5);  // x: [1280, 8], y: [1280]
  expect_two_ranks_of_32_equal_one_of_64(test::mlp, x, y, false);
}

// With batch norm: per-rank statistics would differ from the batch-64 ones; synced they do not.
TEST(DataParallelMpi, TwoRanksWithSyncBatchNormEqualOneRankWithPlainBatchNorm) {
  auto [x, y] = test::bn_data(20 * 64, 5);  // x: [1280, 2, 4, 4], y: [1280]
  expect_two_ranks_of_32_equal_one_of_64(test::bn_net, x, y, true);
}

experiments::Config tiny(std::vector<std::string> overrides) {
  overrides.push_back("experiment.threads=1");
  return experiments::load_config(
      std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml", overrides);
}

// 127 test images over 2 ranks (64 + 63): the reduced figures are the whole set's.
TEST(DataParallelMpi, ShardedEvaluationEqualsTheWholeSet) {
  auto comm = world();
  const experiments::Config cfg = tiny({"data.test_count=127"});
  experiments::ExperimentData data = experiments::load_experiment_data(cfg);
  Generator weights(0);
  auto model = experiments::build_model(cfg.layers(), cfg.blocks(), data.input_shape(), weights);
  const experiments::Objective objective = experiments::make_objective(cfg);
  datasets::DataLoader whole(data.test, {.batch_size = 16, .shuffle = false, .prefetch = 0},
                             data.eval_pipeline);
  datasets::DataLoader shard(
      data.test,
      {.batch_size = 16, .shuffle = false, .prefetch = 0, .sharding = {2, comm->rank(), false}},
      data.eval_pipeline);
  EXPECT_EQ(shard.num_samples(), comm->rank() == 0 ? 64 : 63);
  const auto full = experiments::evaluate(*model, whole, objective, Device::cpu());
  const auto reduced =
      experiments::evaluate(*model, shard, objective, Device::cpu(), 0, comm.get());
  EXPECT_EQ(reduced.images, 127);
  EXPECT_NEAR(reduced.loss, full.loss, 1e-6 * std::max(1.0, full.loss));
  EXPECT_DOUBLE_EQ(reduced.accuracy, full.accuracy);
  for (int64_t i = 0; i < full.confusion.numel(); ++i) {
    EXPECT_EQ(reduced.confusion.data<int64_t>()[i], full.confusion.data<int64_t>()[i]) << i;
  }
}

// `camlab train` on 2 ranks × batch 16: one run directory (rank 0's), and the weights of a
// 1-rank × batch 32 run of the same config.
TEST(DataParallelMpi, TrainerOnTwoRanksMatchesOneRankWithTheDoubleBatch) {
  auto comm = world();
  test::TempDir mine;
  const std::filesystem::path shared = broadcast_string(*comm, mine.path().string(), 0);
  const std::vector<std::string> sgd = {"train.epochs=1", "train.optimizer.type=sgd",
                                        "train.optimizer.lr=0.05", "train.optimizer.momentum=0.9"};
  auto with = [&](std::string batch) {
    std::vector<std::string> o = sgd;
    o.push_back("data.batch_size=" + batch);
    return tiny(o);
  };
  const experiments::TrainResult two =
      experiments::train_experiment(with("16"), {.out = shared / "two", .progress = 0});
  const experiments::TrainResult one = experiments::train_experiment(
      with("32"), {.out = mine.path() / "one",
                   .progress = 0,
                   .communicator = std::make_shared<LocalCommunicator>()});
  comm->barrier();  // rank 0's files are complete
  EXPECT_EQ(two.run_dir, shared / "two");
  EXPECT_NEAR(two.test_accuracy, one.test_accuracy, 1.0 / 128);
  const nn::Checkpoint a = nn::read_checkpoint(shared / "two" / "checkpoint.h5");
  const nn::Checkpoint b = nn::read_checkpoint(mine.path() / "one" / "checkpoint.h5");
  EXPECT_EQ(a.info.step, 16) << "512 images / (2 ranks × 16)";
  expect_same_weights(a.model, b.model, 1e-5);
  if (comm->is_main()) {
    std::ifstream csv(shared / "two" / "metrics.csv");
    std::string line;
    int lines = 0;
    while (std::getline(csv, line)) ++lines;
    EXPECT_EQ(lines, 2) << "a header and one epoch, written once";
  }
  comm->barrier();  // rank 0's TempDir goes only after every rank has read it
}

// A run checkpointed by one process resumes on two ranks: rank 0 trains epoch 1 alone and dies in
// epoch 2; both ranks then resume from its checkpoint and finish epoch 2 with half the steps.
TEST(DataParallelMpi, OneProcessRunResumesOnTwoRanks) {
  auto comm = world();
  test::TempDir mine;
  const std::filesystem::path run = broadcast_string(*comm, mine.path().string(), 0) + "/run";
  const experiments::Config cfg = tiny({"train.epochs=2"});
  if (comm->is_main()) {
    EXPECT_THROW(
        experiments::train_experiment(cfg, {.out = run,
                                            .progress = 0,
                                            .interrupt_after_steps = 20,
                                            .communicator = std::make_shared<LocalCommunicator>()}),
        experiments::TrainingInterrupted);
  }
  comm->barrier();
  const experiments::TrainResult r =
      experiments::train_experiment(cfg, {.out = run, .resume = true, .progress = 0});
  comm->barrier();  // rank 0's checkpoint is complete
  const nn::Checkpoint c = nn::read_checkpoint(run / "checkpoint.h5");
  EXPECT_EQ(c.info.epoch, 2);
  EXPECT_EQ(c.info.step, 16 + 8) << "epoch 1: 512 / 32 on one process; epoch 2: 512 / (2 × 32)";
  EXPECT_GT(r.test_accuracy, 0.0);
  comm->barrier();  // rank 0's TempDir goes only after every rank has read it
}

}  // namespace
}  // namespace camlab::distributed
