// --indices: the three forms, and bounds checked before a vector is filled (issue 18: a range of
// 10^11 indices must be an error, not an attempt to allocate it).
#include "experiments/explain/indices.h"

#include <gtest/gtest.h>

#include "tensor/error.h"

namespace camlab::experiments {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_indices(text, 1000);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Indices, RangeListAndSingle) {
  EXPECT_EQ(parse_indices("2:5", 1000), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(parse_indices("3,7,9", 1000), (std::vector<int64_t>{3, 7, 9}));
  EXPECT_EQ(parse_indices("999", 1000), (std::vector<int64_t>{999}));
  EXPECT_EQ(parse_indices("990:1000", 1000).size(), 10u);
}

TEST(Indices, HugeRangeIsRefusedBeforeFilling) {
  EXPECT_NE(error_of("0:99999999999")
                .find("index 99999999998 is out of range for a dataset of "
                      "1000 images (valid: 0..999)"),
            std::string::npos);
  EXPECT_NE(error_of("0:9223372036854775807").find("out of range"), std::string::npos);
}

TEST(Indices, MalformedTextIsAOneLineError) {
  for (const char* text : {"", ",", "-1", "1:", ":", "9:3", "1e3", "0x10", "1000"}) {
    const std::string message = error_of(text);
    EXPECT_NE(message.find("--indices '"), std::string::npos) << text << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace camlab::experiments
