// Shapes whose element count passes 2^63 - 1 are an Error wherever a shape is built, and a
// request larger than the machine's RAM is an Error instead of a visit from the OOM killer.
#include <gtest/gtest.h>

#include "tensor/claimed_size.h"
#include "tensor/tensor.h"

namespace camlab {
namespace {

void expect_error_with(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no Error; expected one containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

constexpr int64_t k2To32 = int64_t{1} << 32;

TEST(ShapeOverflow, NumelOfAnOverflowingShapeIsAnError) {
  EXPECT_EQ(numel({k2To32, k2To32 / 4}), int64_t{1} << 62);
  expect_error_with([] { numel({k2To32, k2To32}); }, "[4294967296, 4294967296]");
  expect_error_with([] { numel({INT64_MAX, 2}); }, "past 2^63 - 1");
}

TEST(ShapeOverflow, EmptyRefusesShapesWhoseBytesOverflowOrExceedTheMachine) {
  expect_error_with([] { Tensor::empty({k2To32, k2To32}, DType::UInt8); }, "past 2^63 - 1");
  // 2^62 float64 elements: numel fits, bytes (2^65) do not.
  expect_error_with([] { Tensor::empty({int64_t{1} << 62}, DType::Float64); }, "address space");
  // 1 PiB fits size_t but no machine's RAM.
  expect_error_with([] { Tensor::empty({int64_t{1} << 50}, DType::UInt8); }, "out of host memory");
}

TEST(ShapeOverflow, ViewAndReshapeCheckTheRequestedShape) {
  const Tensor t = Tensor::empty({4}, DType::Float32);  // [4]
  expect_error_with([&] { t.view({-1, k2To32, k2To32}); }, "multiplies past 2^63 - 1");
  expect_error_with([&] { t.reshape({k2To32, k2To32, 0}); }, "past 2^63 - 1");
}

TEST(ShapeOverflow, ClaimedBytesAreBoundedByDeflatesBestRatio) {
  EXPECT_EQ(checked_bytes({2, 3}, 4, "x"), 24u);
  expect_error_with([] { checked_bytes({k2To32, k2To32}, 2, "x.h5: /w"); }, "x.h5: /w");
  expect_error_with([] { checked_bytes({-1}, 1, "x.h5: /w"); }, "negative size");
  check_claim_fits_file(uint64_t{1} << 20, 0, "small claims pass");
  check_claim_fits_file(1032 * 2000, 2000, "exactly the ratio passes");
  expect_error_with([] { check_claim_fits_file(1032 * 2000 + 1, 2000, "f.png"); },
                    "f.png: claims 2064001 bytes of data but the file stores 2000");
}

}  // namespace
}  // namespace camlab
