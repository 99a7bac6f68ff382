// One benchmark per case of the op-case table (tests/tensor/op_cases.h): each case's call on the
// CPU in float32 at the table's shapes. Those are the tests' small shapes, so this times dispatch
// and small-tensor overhead per op and catches a kernel that regresses badly; the topic files
// (gemm, conv2d, ...) measure throughput at real sizes.
//
//   $ build/bench/camlab_micro_bench --benchmark_filter=OpCase/
//
// GB/s counts every input read once and every output written once.
#include "bench/micro/micro.h"
#include "tests/tensor/op_cases.h"

namespace camlab {
namespace {

double bytes_of(const test::Tensors& tensors) {
  double bytes = 0;
  for (const Tensor& t : tensors) bytes += double(t.numel()) * double(dtype_size(t.dtype()));
  return bytes;
}

void run_case(benchmark::State& state, const test::OpCase* c) {
  const test::Tensors inputs = test::make_inputs(*c, DType::Float32, Device::cpu(), 1);
  const double bytes = bytes_of(inputs) + bytes_of(c->run(inputs, Device::cpu()));
  for (auto _ : state) {
    test::Tensors outputs = c->run(inputs, Device::cpu());
    benchmark::DoNotOptimize(outputs.data());
  }
  micro::gbytes_per_second(state, bytes);
}

const bool kRegistered = [] {
  for (const test::OpCase& c : test::op_cases()) {
    benchmark::RegisterBenchmark(("OpCase/" + c.name).c_str(), run_case, &c)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
}  // namespace camlab
