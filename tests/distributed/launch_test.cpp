// Which communicator a process gets, and the post-accumulate hook DataParallel rides on.
#include "distributed/launch.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "autograd/post_accumulate_hook.h"
#include "tensor/ops.h"

namespace camlab::distributed {
namespace {

std::string error_of(const std::string& backend) {
  try {
    make_communicator(backend);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Launch, WithoutALauncherAutoIsOneLocalRank) {
  if (!launcher_variable().empty()) GTEST_SKIP() << "started by " << launcher_variable();
  std::shared_ptr<Communicator> comm = make_communicator("auto");
  EXPECT_EQ(comm->name(), "local");
  EXPECT_EQ(comm->size(), 1);
  EXPECT_TRUE(comm->is_main());
  std::vector<float> data = {1, 2, 3};
  comm->start_allreduce_sum(data)->wait();
  EXPECT_EQ(data, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(broadcast_string(*comm, "runs/x", 0), "runs/x");
}

TEST(Launch, NcclAndUnknownBackendsAreOneLineErrors) {
  const std::string nccl = error_of("nccl");
  EXPECT_NE(nccl.find("NCCL"), std::string::npos) << nccl;
  EXPECT_NE(nccl.find("backend = \"mpi\""), std::string::npos) << nccl;
  EXPECT_EQ(nccl.find('\n'), std::string::npos) << nccl;
  EXPECT_NE(error_of("gloo").find("\"auto\", \"mpi\", \"nccl\""), std::string::npos);
}

TEST(Launch, LauncherWithoutMpiBuildSaysHowToRebuild) {
  if (built_with_mpi()) GTEST_SKIP() << "this build has MPI";
  ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  const std::string message = error_of("auto");
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  EXPECT_NE(message.find("-DCAMLAB_MPI=ON"), std::string::npos) << message;
}

TEST(PostAccumulateHook, SeesTheAccumulatedGradientOncePerBackward) {
  Generator gen(1);
  Tensor w = ops::randn({3}, gen).set_requires_grad(true);
  std::vector<float> seen;
  autograd::PostAccumulateHandle h = autograd::register_post_accumulate_hook(
      w, [&](const Tensor& grad) { seen.push_back(grad.data<float>()[0]); });
  // w feeds two ops: the hook runs once, after both contributions were summed.
  backward(sum(mul(w, w)) + sum(w));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FLOAT_EQ(seen[0], 2 * w.data<float>()[0] + 1);
  backward(sum(w));  // accumulates on top: the hook sees the running .grad()
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FLOAT_EQ(seen[1], 2 * w.data<float>()[0] + 2);
  h.remove();
  backward(sum(w));
  EXPECT_EQ(seen.size(), 2u) << "removed";
}

TEST(PostAccumulateHook, NonLeafIsAnError) {
  Generator gen(1);
  Tensor w = ops::randn({3}, gen).set_requires_grad(true);
  Tensor y = mul(w, w);
  EXPECT_THROW({ auto h = autograd::register_post_accumulate_hook(y, [](const Tensor&) {}); },
               Error);
}

}  // namespace
}  // namespace camlab::distributed
