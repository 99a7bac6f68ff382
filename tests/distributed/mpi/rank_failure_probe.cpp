// A 2-rank `camlab train` in which rank 1 raises after 3 steps while rank 0 waits in the next
// all-reduce. CTest (tests/CMakeLists.txt) runs it under mpirun and passes when the job ends
// within its timeout and the output names rank 1: the trainer's MPI_Abort ended both ranks.
#include <fmt/format.h>

#include <filesystem>

#include "distributed/launch.h"
#include "experiments/config/config.h"
#include "experiments/train/trainer.h"

int main() {
  using namespace camlab;
  auto comm = distributed::make_communicator("mpi");
  const experiments::Config cfg = experiments::load_config(
      std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml",
      {"experiment.threads=1"});
  experiments::TrainOptions options{
      .out = std::filesystem::current_path() / "rank-failure-run", .force = true, .progress = 0};
  if (comm->rank() == 1) options.interrupt_after_steps = 3;
  experiments::train_experiment(cfg, options);
  fmt::print(stderr, "rank {} finished training, which it should not have\n", comm->rank());
  return 0;
}
