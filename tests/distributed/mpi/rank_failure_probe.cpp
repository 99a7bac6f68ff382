// A 2-rank `camlab train` that must fail on every rank, within bounded time, with one line:
//   rank_failure_probe raise     rank 1 raises after 3 steps while rank 0 waits in the next
//                                all-reduce: the trainer's MPI_Abort must end both ranks;
//   rank_failure_probe mismatch  rank 1 trains another seed: the config check must refuse.
// CTest (tests/CMakeLists.txt) runs it under mpirun and passes on the expected line.
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "distributed/launch.h"
#include "experiments/config/config.h"
#include "experiments/train/trainer.h"

int main(int argc, char** argv) {
  using namespace camlab;
  const std::string mode = argc > 1 ? argv[1] : "raise";
  auto comm = distributed::make_communicator("mpi");
  std::vector<std::string> overrides = {"experiment.threads=1"};
  if (mode == "mismatch" && comm->rank() == 1) overrides.push_back("experiment.seed=5");
  const experiments::Config cfg = experiments::load_config(
      std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml", overrides);
  experiments::TrainOptions options{
      .out = std::filesystem::current_path() / ("rank-failure-" + mode),
      .force = true,
      .progress = 0};
  if (mode == "raise" && comm->rank() == 1) options.interrupt_after_steps = 3;
  experiments::train_experiment(cfg, options);
  fmt::print(stderr, "rank {} finished training, which it should not have\n", comm->rank());
  return 0;
}
