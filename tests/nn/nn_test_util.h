// Helpers shared by the nn tests: values out of tensors, and error-message assertions.
//
//   std::vector<double> v = values(model->find("fc").state_dict().at("weight"));
//   EXPECT_ERROR_CONTAINS(model->find("nope"), "valid names");
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tensor/error.h"
#include "tensor/tensor.h"
#include "tests/support/values.h"

namespace camlab::nn::test {

// Every element, row-major, as double (any floating or int64 tensor, any device).
using camlab::test::values;

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  std::vector<double> x = values(a), y = values(b);
  EXPECT_EQ(x.size(), y.size());
  double worst = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    worst = std::max(worst, std::abs(x[i] - y[i]));
  return worst;
}

// The message of the camlab::Error thrown by `statement`, or a failure when none is thrown.
#define CAMLAB_ERROR_MESSAGE(statement, out)                        \
  do {                                                              \
    try {                                                           \
      statement;                                                    \
      ADD_FAILURE() << "expected a camlab::Error from " #statement; \
    } catch (const ::camlab::Error& e) {                            \
      out = e.what();                                               \
    }                                                               \
  } while (false)

#define EXPECT_ERROR_CONTAINS(statement, ...)                                          \
  do {                                                                                 \
    std::string message_;                                                              \
    CAMLAB_ERROR_MESSAGE(statement, message_);                                         \
    for (const std::string& part_ : std::vector<std::string>{__VA_ARGS__}) {           \
      EXPECT_NE(message_.find(part_), std::string::npos)                               \
          << "message '" << message_ << "' lacks '" << part_ << "'";                   \
    }                                                                                  \
    EXPECT_EQ(message_.find('\n'), std::string::npos) << "not one line: " << message_; \
  } while (false)

}  // namespace camlab::nn::test
