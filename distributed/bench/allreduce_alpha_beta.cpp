// α and β of the all-reduce that DataParallel uses (Communicator::start_allreduce_sum + wait):
// times a float sum at sizes from 4 B to 64 MiB for the model t(n) = α + β·n that
// docs/distributed.md projects with (Hockney 1994; for a ring all-reduce Thakur et al. 2005 give
// t = 2(p-1)α' + 2(p-1)/p · n·β'). α is the 4-byte time (latency alone), β the slope between the
// two largest sizes (bandwidth alone); a least-squares fit would let the large sizes drown α.
//
//   mpirun -np 2 build/distributed/allreduce_alpha_beta           # table, then the fit
//   mpirun -np 2 build/distributed/allreduce_alpha_beta --quick   # fewer repetitions
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "distributed/launch.h"

namespace {

using Clock = std::chrono::steady_clock;

// Median seconds of `reps` all-reduces of `floats` elements, every rank starting together.
double time_allreduce(camlab::distributed::Communicator& comm, size_t floats, int reps) {
  std::vector<float> data(floats, 1.0f);  // [floats]
  std::vector<double> seconds;
  for (int r = 0; r < reps + 2; ++r) {  // two warm-up rounds
    comm.barrier();
    const auto start = Clock::now();
    comm.start_allreduce_sum(data)->wait();
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (r >= 2) seconds.push_back(s);
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  // The slowest rank's median is the collective's time.
  std::vector<double> all(static_cast<size_t>(comm.size()), 0.0);
  all[static_cast<size_t>(comm.rank())] = median;
  comm.allreduce_sum(all);
  return *std::max_element(all.begin(), all.end());
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  auto comm = camlab::distributed::make_communicator("mpi");
  std::vector<double> bytes, times;
  for (size_t n = 1; n <= (size_t{16} << 20); n *= 4) {  // floats: 4 B .. 64 MiB
    const int reps = quick ? 5 : (n < (size_t{1} << 18) ? 50 : 10);
    const double t = time_allreduce(*comm, n, reps);
    bytes.push_back(static_cast<double>(n) * 4);
    times.push_back(t);
    if (comm->is_main()) {
      fmt::print("{:>12} B  {:>10.2f} us  {:>8.3f} GB/s\n", n * 4, t * 1e6, n * 4 / t / 1e9);
    }
  }
  const size_t last = bytes.size() - 1;
  const double alpha = times[0];
  const double beta = (times[last] - times[last - 1]) / (bytes[last] - bytes[last - 1]);
  if (comm->is_main()) {
    fmt::print("ranks {}: alpha {:.2f} us, beta {:.4f} ns/B ({:.2f} GB/s)\n", comm->size(),
               alpha * 1e6, beta * 1e9, 1 / beta / 1e9);
  }
  return 0;
}
