// split and split_commas: the word splitting every flag and config parser shares.
#include "tensor/strings.h"

#include <gtest/gtest.h>

namespace camlab {
namespace {

using Words = std::vector<std::string>;

TEST(Strings, SplitKeepsEveryPartIncludingEmptyOnes) {
  EXPECT_EQ(split("random_crop:2", ':'), (Words{"random_crop", "2"}));
  EXPECT_EQ(split("a::b:", ':'), (Words{"a", "", "b", ""}));
  EXPECT_EQ(split("", ','), (Words{""}));
  EXPECT_EQ(split("solo", ','), (Words{"solo"}));
}

TEST(Strings, SplitCommasDropsEmptyParts) {
  EXPECT_EQ(split_commas("cam,gradcam++,scorecam"), (Words{"cam", "gradcam++", "scorecam"}));
  EXPECT_EQ(split_commas(",cam,,gradcam,"), (Words{"cam", "gradcam"}));
  EXPECT_TRUE(split_commas("").empty());
  EXPECT_TRUE(split_commas(",,").empty());
}

}  // namespace
}  // namespace camlab
