// `camlab explain` sharded over 2 MPI ranks (CTest distributed.mpi.sharded_explain): rank 0's
// HDF5 file and figure hold what one process explaining every image writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "distributed/launch.h"
#include "experiments/config/config.h"
#include "experiments/explain/sharded_explain.h"
#include "experiments/model/model_builder.h"
#include "experiments/train/experiment_data.h"
#include "nn/sequential.h"
#include "tensor/ops.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  const Tensor x = a.to(DType::Float64).contiguous(), y = b.to(DType::Float64).contiguous();
  double worst = 0;
  for (int64_t i = 0; i < std::min(x.numel(), y.numel()); ++i) {
    worst = std::max(worst, std::abs(x.data<double>()[i] - y.data<double>()[i]));
  }
  return worst;
}

// 5 images over 2 ranks (2 + 3), two targets so the file holds keyed map sets.
TEST(ShardedExplainMpi, FiveImagesOverTwoRanksEqualOneProcess) {
  std::shared_ptr<distributed::Communicator> comm = distributed::make_communicator("mpi");
  ASSERT_EQ(comm->size(), 2) << "run under mpirun -np 2";
  test::TempDir mine;
  const std::filesystem::path shared =
      distributed::broadcast_string(*comm, mine.path().string(), 0);
  const Config cfg =
      load_config(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml",
                  {"experiment.threads=1"});
  const ExperimentData data = load_experiment_data(cfg);
  Generator weights(0);
  auto model = build_model(cfg.layers(), cfg.blocks(), data.input_shape(), weights);
  datasets::DataLoader loader(data.test, {.batch_size = 16, .shuffle = false, .prefetch = 0},
                              data.eval_pipeline);
  const ExplainInputs inputs = dataset_inputs(*model, loader, data.test, data.eval_pipeline,
                                              Device::cpu(), false, {"first", "", 5, 0});
  ASSERT_EQ(inputs.images.size(0), 5);

  ExplainRequest request{.methods = {"gradcam", "scorecam"},
                         .layer = cfg.get_string("model.cam_layer"),
                         .targets = {"pred", "label"},
                         .out = shared / "sharded",
                         .h5 = shared / "sharded.h5"};
  const ExplainResult sharded = explain_sharded(*model, inputs, request, *comm);
  request.out = mine.path() / "alone";  // every rank its own one-process reference
  request.h5 = mine.path() / "alone.h5";
  const ExplainResult alone = explain(*model, inputs, request);

  EXPECT_TRUE(std::filesystem::exists(shared / "sharded" / "explain.png"));
  const ExplanationsFile got = read_explanations(shared / "sharded.h5");
  const ExplanationsFile want = read_explanations(mine.path() / "alone.h5");
  ASSERT_EQ(got.maps.size(), 4u);  // 2 methods × 2 targets
  for (const auto& [key, maps] : want.maps) {
    ASSERT_TRUE(got.maps.count(key)) << key;
    EXPECT_LE(max_abs_diff(got.maps.at(key), maps), 1e-5) << key;
    const Tensor& raw = want.raw.at(key);  // [N, h, w], unnormalised: relative to its largest
    EXPECT_LE(max_abs_diff(got.raw.at(key), raw),
              1e-5 * std::max(1.0, max_abs_diff(raw, ops::zeros_like(raw))))
        << key;
  }
  EXPECT_LE(max_abs_diff(got.logits, want.logits), 1e-5);
  EXPECT_EQ(max_abs_diff(got.targets, want.targets), 0);
  EXPECT_EQ(max_abs_diff(got.indices, want.indices), 0);
  EXPECT_EQ(max_abs_diff(got.inputs, want.inputs), 0);
  EXPECT_EQ(got.layer, want.layer);
  ASSERT_EQ(sharded.top.size(), alone.top.size());
  for (size_t i = 0; i < alone.top.size(); ++i) {
    EXPECT_EQ(sharded.top[i].front().index, alone.top[i].front().index) << i;
  }
  comm->barrier();  // rank 0's folder stays until every rank has read it
}

TEST(ShardedExplainMpi, FewerImagesThanRanksIsAnError) {
  std::shared_ptr<distributed::Communicator> comm = distributed::make_communicator("mpi");
  ExplainInputs one;
  one.images = ops::zeros({1, 1, 8, 8});  // [1, C, H, W]
  auto model = std::make_shared<nn::Sequential>();
  try {
    explain_sharded(*model, one, {}, *comm);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("1 images cannot be split over 2 ranks"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace camlab::experiments
