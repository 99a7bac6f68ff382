// Saved tensors and the version counter: a backward that would read a saved tensor written in
// place since the forward fails with an error naming the op and the tensor; writes elsewhere, or
// after the backward, are fine.
#include <gtest/gtest.h>

#include <string>

#include "autograd/node.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

Tensor values(std::vector<double> v, Shape shape, bool requires_grad) {
  Tensor t = Tensor::from_vector<double>(v, shape);
  t.set_requires_grad(requires_grad);
  return t;
}

// Runs backward(loss) and returns the Error's message ("" when none was thrown).
std::string backward_error(const Tensor& loss) {
  try {
    backward(loss);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_mentions(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "missing '" << part << "' in: " << message;
}

TEST(SavedVersion, EveryKernelWriteBumpsTheStorageVersionViewsShareIt) {
  Tensor t = ops::zeros({2, 3}, DType::Float64);
  const uint64_t made = t.storage()->version();
  Tensor row = t.select(0, 1);  // a view: no write
  EXPECT_EQ(t.storage()->version(), made);
  ops::fill_(row, 2.0);
  EXPECT_EQ(t.storage()->version(), made + 1);
  t.copy_(ops::ones({3}, DType::Float64));
  EXPECT_EQ(row.storage()->version(), made + 2);
}

TEST(SavedVersion, InPlaceWriteToASavedInputFailsNamingOpAndTensor) {
  Tensor a = values({1, 2, 3}, {3}, true);
  Tensor b = values({4, 5, 6}, {3}, false);
  Tensor loss = sum(mul(a, b));  // mul saves a and b: da = dY·b
  ops::fill_(b, 0.0);            // b needs no grad, so the raw write is allowed
  const std::string message = backward_error(loss);
  expect_mentions(message, "'mul'");
  expect_mentions(message, "'b'");
  expect_mentions(message, "modified in place");
  EXPECT_FALSE(a.grad().defined());  // nothing was accumulated from the stale b
}

TEST(SavedVersion, WriteThroughAViewOfTheSavedTensorIsCaught) {
  Tensor a = values({1, 2, 3, 4}, {2, 2}, true);
  Tensor b = values({1, 1, 1, 1}, {2, 2}, false);
  Tensor loss = sum(mul(a, b));
  ops::fill_(b.narrow(0, 1, 1), 7.0);  // one row only, but the same storage
  expect_mentions(backward_error(loss), "'b'");
}

TEST(SavedVersion, InPlaceWriteToASavedOutputFailsNamingIt) {
  Tensor x = values({0.5, -1.0}, {2}, true);
  Tensor y = sigmoid(x);  // saves its output: σ' = y(1 − y)
  Tensor loss = sum(y);
  {
    autograd::NoGradGuard no_grad;  // y requires grad: a raw write needs the guard
    ops::fill_(y, 0.5);
  }
  const std::string message = backward_error(loss);
  expect_mentions(message, "'sigmoid'");
  expect_mentions(message, "'y'");
}

TEST(SavedVersion, WritesToTensorsNoNodeSavedAreFine) {
  Tensor a = values({1, 2}, {2}, true);
  Tensor c = values({3, 4}, {2}, false);
  Tensor loss = sum(add(a, c));  // add saves nothing: dA = dY
  ops::fill_(c, 100.0);
  EXPECT_EQ(backward_error(loss), "");
  EXPECT_DOUBLE_EQ(a.grad().at<double>({0}), 1.0);
  EXPECT_DOUBLE_EQ(a.grad().at<double>({1}), 1.0);
}

TEST(SavedVersion, WritesAfterBackwardAreFineAndTheGradientUsedTheOldValues) {
  Tensor a = values({1, 2}, {2}, true);
  Tensor b = values({3, 5}, {2}, false);
  Tensor loss = sum(mul(a, b));
  EXPECT_EQ(backward_error(loss), "");
  ops::fill_(b, 0.0);
  EXPECT_DOUBLE_EQ(a.grad().at<double>({0}), 3.0);
  EXPECT_DOUBLE_EQ(a.grad().at<double>({1}), 5.0);
}

TEST(SavedVersion, SavedTensorsAreReadByName) {
  Tensor a = values({1, 2}, {2}, true);
  Tensor b = values({3, 5}, {2}, false);
  Tensor y = mul(a, b);
  const auto& node = y.grad_fn();
  ASSERT_TRUE(node);
  EXPECT_EQ(node->saved_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(node->saved("b").same(b));
  try {
    node->saved("weight");
    FAIL() << "an unknown saved name must be an Error";
  } catch (const Error& e) {
    expect_mentions(e.what(), "'weight'");
    expect_mentions(e.what(), "saved: a, b");
  }
}

}  // namespace
}  // namespace camlab
