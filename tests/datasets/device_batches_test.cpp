// DeviceBatches: the loader's batches, unchanged on the CPU, and on a GPU the same values after
// the overlapped copies (skipped at run time without one).
#include "datasets/device_batches.h"

#include <gtest/gtest.h>

#include <cstring>

#include "datasets/shapes.h"
#include "tensor/cuda/device.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::datasets {
namespace {

ImageDataset small_set(int64_t n) { return make_shapes({.n = n, .size = 12, .seed = 1}); }

std::vector<Batch> through_device(DataLoader& loader, Device device, int64_t epoch) {
  loader.start_epoch(epoch);
  DeviceBatches batches(loader, device);
  std::vector<Batch> out;
  while (std::optional<Batch> b = batches.next()) out.push_back(std::move(*b));
  EXPECT_FALSE(batches.next().has_value()) << "a finished epoch stays finished";
  return out;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  const Tensor host_a = a.to(Device::cpu()), host_b = b.to(Device::cpu());
  return host_a.shape() == host_b.shape() && host_a.dtype() == host_b.dtype() &&
         std::memcmp(host_a.raw_data(), host_b.raw_data(),
                     host_a.numel() * dtype_size(host_a.dtype())) == 0;
}

TEST(DeviceBatches, OnTheCpuTheLoadersOwnBatchesPassThrough) {
  DataLoader loader(small_set(23), {.batch_size = 5, .seed = 2});
  const std::vector<Batch> reference = [&] {
    loader.start_epoch(1);
    std::vector<Batch> out;
    while (std::optional<Batch> b = loader.next()) out.push_back(std::move(*b));
    return out;
  }();
  const std::vector<Batch> batches = through_device(loader, Device::cpu(), 1);
  ASSERT_EQ(batches.size(), 5u);
  ASSERT_EQ(batches.size(), reference.size());
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i].index, static_cast<int64_t>(i));
    EXPECT_TRUE(batches[i].images.device().is_cpu());
    EXPECT_TRUE(same_bytes(batches[i].images, reference[i].images)) << i;
    EXPECT_TRUE(same_bytes(batches[i].labels, reference[i].labels)) << i;
  }
}

TEST(DeviceBatches, AskingForAGpuWithoutOneIsAnError) {
  if (cuda::device_count() > 0) GTEST_SKIP() << "a GPU is present";
  DataLoader loader(small_set(8), {.batch_size = 4});
  loader.start_epoch(0);
  DeviceBatches batches(loader, Device::cuda());
  EXPECT_THROW(batches.next(), Error);
}

// Pinned batches take the asynchronous copy stream, ordinary ones the synchronous copy; both
// must arrive with the CPU's values, in order, with every batch still intact after later copies
// (a reused pinned or device block would show up as a later batch's values).
TEST(DeviceBatches, GpuBatchesHoldTheCpuValuesPinnedOrNot) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA GPU";
  const ImageDataset d = small_set(37);
  DataLoader cpu_loader(d, {.batch_size = 4, .seed = 5});
  for (bool pinned : {true, false}) {
    DataLoader gpu_loader(d, {.batch_size = 4, .seed = 5, .pin_memory = pinned});
    for (int64_t epoch = 0; epoch < 2; ++epoch) {
      const std::vector<Batch> expected = through_device(cpu_loader, Device::cpu(), epoch);
      const std::vector<Batch> got = through_device(gpu_loader, Device::cuda(), epoch);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(got[i].images.device().is_cuda());
        EXPECT_TRUE(got[i].labels.device().is_cuda());
        EXPECT_TRUE(same_bytes(got[i].images, expected[i].images)) << pinned << " " << i;
        EXPECT_TRUE(same_bytes(got[i].labels, expected[i].labels)) << pinned << " " << i;
        EXPECT_TRUE(same_bytes(got[i].indices, expected[i].indices)) << pinned << " " << i;
      }
    }
  }
}

}  // namespace
}  // namespace camlab::datasets
