// Every element of a tensor, row-major, as double: what the test assertions compare.
//
//   EXPECT_EQ(camlab::test::values(got), camlab::test::values(want));
//   EXPECT_TRUE(camlab::test::all_close(camlab::test::values(y), fixture.array("y")));
#pragma once

#include <vector>

#include "tensor/graph_guard.h"
#include "tensor/tensor.h"

namespace camlab::test {

// Any floating or integer tensor on any device: copied to the CPU, converted, made contiguous.
inline std::vector<double> values(const Tensor& t) {
  const RawOpScope reads_only;  // reading values leaves any graph as it is
  const Tensor host = t.to(Device::cpu()).to(DType::Float64).contiguous();
  const double* data = host.data<double>();
  return std::vector<double>(data, data + host.numel());
}

}  // namespace camlab::test
