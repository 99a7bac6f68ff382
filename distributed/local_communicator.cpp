#include "distributed/local_communicator.h"

#include <cstdlib>

namespace camlab::distributed {
namespace {

struct DoneReduce final : PendingReduce {
  void wait() override {}
};

}  // namespace

std::unique_ptr<PendingReduce> LocalCommunicator::start_allreduce_sum(std::span<float>) {
  return std::make_unique<DoneReduce>();
}

void LocalCommunicator::abort(int exit_code) { std::_Exit(exit_code); }

}  // namespace camlab::distributed
