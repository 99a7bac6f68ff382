// Every explanation method on a GPU gives the CPU's explanation: the fixture network and images of
// tests/fixtures/cam.h5 in float32, explained on both devices, maps and raw maps compared to 1e-4.
// Skipped where the CUDA backend or a GPU is missing.
#include <gtest/gtest.h>

#include "cam/methods/method.h"
#include "tensor/cuda/device.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

// Largest |a - b| over two tensors of one shape, read back to the CPU as double.
double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  const std::vector<double> x = values(a), y = values(b);
  double worst = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    worst = std::max(worst, std::abs(x[i] - y[i]));
  }
  return worst;
}

class CudaMethodParity : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaMethodParity, MapsEqualTheCpuMaps) {
  if (!cuda::backend_built() || cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const std::string& name = GetParam();
  CamFixture fx;
  auto cpu_net = fx.net(DType::Float32);
  auto gpu_net = fx.net(DType::Float32);
  gpu_net->to(Device::cuda());
  const Tensor images = fx.inputs(DType::Float32);  // [3, 1, 12, 12]
  const Tensor labels = fx.labels();                // int64 [3]
  MethodSettings options{.common = {.layers = {"relu2"}}};
  options.set_batch_size(8);
  options.set_seed(3);

  const Explanation cpu =
      make_method(name, *cpu_net, options)->explain(images, Target::labels(labels));
  const Explanation gpu =
      make_method(name, *gpu_net, options)
          ->explain(images.to(Device::cuda()), Target::labels(labels.to(Device::cuda())));

  ASSERT_TRUE(gpu.maps.device().is_cuda()) << name << ": the maps should stay on the GPU";
  EXPECT_LT(max_abs_diff(gpu.maps, cpu.maps), 1e-4) << name << " maps";
  EXPECT_LT(max_abs_diff(gpu.raw, cpu.raw), 1e-4) << name << " raw maps";
  EXPECT_EQ(values(gpu.targets), values(cpu.targets)) << name;
  EXPECT_LT(max_abs_diff(gpu.logits, cpu.logits), 1e-5) << name << " logits";
}

INSTANTIATE_TEST_SUITE_P(EveryMethod, CudaMethodParity, ::testing::ValuesIn(method_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string id;
                           for (char c : info.param) id += std::isalnum(c) ? c : '_';
                           return id;
                         });

}  // namespace
}  // namespace camlab::cam::test
