// Checkpoints that must not load (issue 18): NaN weights are named at load time, and a dataset
// whose dims claim 2^62 rows is refused before a buffer exists. Inputs: fuzz/corpus/checkpoint/.
#include <gtest/gtest.h>

#include <string>

#include "nn/nn.h"

namespace camlab::nn {
namespace {

std::string corpus(const std::string& name) {
  return std::string(CAMLAB_SOURCE_DIR) + "/fuzz/corpus/checkpoint/" + name;
}

std::string load_error(const std::string& path) {
  Linear model(4, 2);
  try {
    load_checkpoint(path, model);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CheckpointHostile, TheSeedLoads) { EXPECT_EQ(load_error(corpus("linear-4-2.h5")), ""); }

TEST(CheckpointHostile, NanWeightIsNamedWithItsElement) {
  const std::string message = load_error(corpus("nan-weight.h5"));
  EXPECT_NE(message.find("/model/weight holds nan at element 6 of [2, 4]"), std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(CheckpointHostile, DimsClaimingMoreThanTheFileStoresAreRefused) {
  const std::string message = load_error(corpus("claims-2e62-rows.h5"));
  EXPECT_NE(
      message.find(
          "/model/weight: shape [4611686018427387904, 4] of 4-byte values needs more than 2^64"),
      std::string::npos)
      << message;
}

}  // namespace
}  // namespace camlab::nn
