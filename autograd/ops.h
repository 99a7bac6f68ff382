// The differentiable ops: the same math as tensor/ops.h, recorded for backward.
//
//   Tensor w = ops::randn({10, 64}, gen).set_requires_grad(true);
//   Tensor logits = camlab::linear(camlab::mean(features, {2, 3}), w, b);
//   Tensor loss = camlab::cross_entropy(logits, labels);
//   camlab::backward(loss);                  // w.grad() is filled
//
// Each op lives in autograd/functions/<stem>.cpp beside its backward formula.
#pragma once

#include <array>
#include <utility>
#include <vector>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "tensor/autograd_meta.h"
#include "tensor/generator.h"
#include "tensor/op_params.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace camlab {

// ---- elementwise (functions/elementwise.cpp, functions/activation.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor pow(const Tensor& a, double exponent);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);  // gradient zero
Tensor clamp(const Tensor& x, double low, double high);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x);
Tensor erf(const Tensor& x);  // d erf(x)/dx = 2/√π · e^(−x²)
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator*(double a, const Tensor& b);

// ---- views and copies (functions/view.cpp) ----
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor view(const Tensor& x, const Shape& shape);
Tensor permute(const Tensor& x, const Shape& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor contiguous(const Tensor& x);
Tensor to(const Tensor& x, DType dtype);
Tensor to(const Tensor& x, Device device);
Tensor detach(const Tensor& x);  // same storage, no graph

// ---- reductions (functions/reduce.cpp, functions/softmax.cpp) ----
Tensor sum(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor amax(const Tensor& x, const Shape& dims = {}, bool keepdim = false);  // grad split on ties
Tensor amin(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor var(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor norm(const Tensor& x, double p = 2, const Shape& dims = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim = false);
// Sums t over the dims that broadcasting expanded, giving back `shape` (a broadcast's adjoint).
Tensor sum_to(const Tensor& t, const Shape& shape);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

// ---- linear algebra (functions/matmul.cpp) ----
Tensor matmul(const Tensor& a, const Tensor& b);
// x: [N, in], weight: [out, in] (PyTorch layout), bias: [out] or undefined -> [N, out]
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

// ---- convolution and image ops (functions/conv2d.cpp, pool.cpp, upsample.cpp) ----
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& p);
Tensor max_pool2d(const Tensor& x, const Pool2dParams& p);
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p);
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> out_size);
Tensor upsample_bilinear2d(const Tensor& x, std::array<int64_t, 2> out_size, bool align_corners);
Tensor upsample_nearest2d(const Tensor& x, std::array<int64_t, 2> out_size);

// ---- normalisation and regularisation (functions/batch_norm.cpp, functions/dropout.cpp) ----
// running_mean/var are updated in place in training mode (they never require grad).
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum = 0.1, double eps = 1e-5);
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);

// ---- indexing and joining (functions/index.cpp) ----
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

// ---- losses (functions/loss.cpp); reduction is the mean over the batch ----
// logits: [N, C] or [N, C, H, W]; target: int64 [N] or [N, H, W]; weight: [C] or undefined.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const Tensor& weight = Tensor(),
                     double label_smoothing = 0.0);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const Tensor& weight = Tensor());
// Multi-label: target is a float multi-hot tensor like logits.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);
Tensor mse_loss(const Tensor& x, const Tensor& target);

}  // namespace camlab
