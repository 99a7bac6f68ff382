// The raw (untracked) math on tensors: every function validates its inputs, allocates the result
// and dispatches to the kernel of the input's device. Autograd builds on these (autograd/ops.h).
//
//   Generator gen(0);
//   Tensor x = ops::randn({64, 1, 28, 28}, gen);
//   Tensor w = ops::randn({32, 1, 3, 3}, gen);
//   Tensor y = ops::conv2d(x, w, Tensor(), {.padding = {1, 1}});   // [64, 32, 28, 28]
//   Tensor p = ops::softmax(ops::sum(y, {2, 3}), 1);                // [64, 32]
//
// Errors are camlab::Error with one line naming the op and the shapes.
#pragma once

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "tensor/generator.h"
#include "tensor/op_params.h"
#include "tensor/tensor.h"

namespace camlab::ops {

// ---- creation (tensor/ops/creation.cpp) ----
Tensor zeros(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32,
            Device device = Device::cpu());
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor scalar(double value, DType dtype = DType::Float32, Device device = Device::cpu());  // 0-d
Tensor arange(double start, double end, double step = 1, DType dtype = DType::Float32,
              Device device = Device::cpu());
Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::Float32,
                Device device = Device::cpu());
Tensor eye(int64_t n, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::Float32,
            Device device = Device::cpu());  // U[0, 1)
Tensor uniform(const Shape& shape, double low, double high, Generator& gen,
               DType dtype = DType::Float32, Device device = Device::cpu());
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::Float32,
             Device device = Device::cpu());  // N(0, 1)
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen,
               Device device = Device::cpu());  // int64 in [low, high)
void fill_(const Tensor& t, double value);

// ---- elementwise, NumPy broadcasting (tensor/ops/elementwise.cpp) ----
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
// Comparisons give bool tensors.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor logical_not(const Tensor& a);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor clamp(const Tensor& x, double low, double high);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x);  // exact: x·Φ(x)
Tensor erf(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
// Activation backwards: grad_x from grad_y and the saved input x (or output y where cheaper).
Tensor relu_backward(const Tensor& grad_y, const Tensor& x);
Tensor leaky_relu_backward(const Tensor& grad_y, const Tensor& x, double slope);
Tensor elu_backward(const Tensor& grad_y, const Tensor& x, double alpha);
Tensor gelu_backward(const Tensor& grad_y, const Tensor& x);
Tensor sigmoid_backward(const Tensor& grad_y, const Tensor& y);
Tensor tanh_backward(const Tensor& grad_y, const Tensor& y);

// Sums `t` over the dims that broadcasting expanded, giving back `shape` (for backward).
Tensor sum_to(const Tensor& t, const Shape& shape);

// ---- reductions (tensor/ops/reduce.cpp); empty dims = all dims ----
Tensor sum(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor amax(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim,
                              bool keepdim = false);  // values, argmax
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor var(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor norm(const Tensor& x, double p = 2, const Shape& dims = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim);
Tensor log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim);

// ---- linear algebra (tensor/ops/matmul.cpp) ----
// [.., n, k] x [.., k, m] -> [.., n, m]; batch dims broadcast; 1-d operands as in NumPy.
// Transposed views are passed to BLAS as transposes, not copied.
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- convolution and image ops (tensor/ops/conv2d.cpp, pool.cpp, upsample.cpp, ...) ----
// x: [N, C, H, W] -> cols: [N, C·kh·kw, Ho·Wo]
Tensor im2col(const Tensor& x, const Conv2dParams& p);
// cols: [N, C·kh·kw, Ho·Wo] -> [N, C, H, W] (overlaps summed)
Tensor col2im(const Tensor& cols, const Shape& x_shape, const Conv2dParams& p);
std::array<int64_t, 2> conv2d_output_size(const Shape& x_shape, const Conv2dParams& p);
// x: [N, C, H, W], w: [O, C/groups, kh, kw], b: [O] or undefined -> y: [N, O, Ho, Wo]
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dParams& p);
Tensor conv2d_backward_input(const Tensor& grad_y, const Tensor& w, const Shape& x_shape,
                             const Conv2dParams& p);
Tensor conv2d_backward_weight(const Tensor& grad_y, const Tensor& x, const Shape& w_shape,
                              const Conv2dParams& p);
// x: [N, C, H, W] -> y, argmax indices (int64, flat within each H·W plane): [N, C, Ho, Wo]
std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const Pool2dParams& p);
Tensor max_pool2d_backward(const Tensor& grad_y, const Tensor& indices, const Shape& x_shape);
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p);
Tensor avg_pool2d_backward(const Tensor& grad_y, const Shape& x_shape, const Pool2dParams& p);
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> out_size);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_y, const Shape& x_shape);
Tensor upsample_bilinear2d(const Tensor& x, std::array<int64_t, 2> out_size, bool align_corners);
Tensor upsample_bilinear2d_backward(const Tensor& grad_y, const Shape& x_shape, bool align_corners);
Tensor upsample_nearest2d(const Tensor& x, std::array<int64_t, 2> out_size);
Tensor upsample_nearest2d_backward(const Tensor& grad_y, const Shape& x_shape);

// Batch norm over [N, C, H, W] (or [N, C]) per channel.
struct BatchNormResult {
  Tensor y;            // like x
  Tensor save_mean;    // [C] the mean used
  Tensor save_invstd;  // [C] 1/sqrt(var + eps) used
};
// training: batch statistics, and running_mean/var (may be undefined) are updated in place with
// momentum (unbiased variance, as PyTorch). eval: running statistics are used.
BatchNormResult batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                           const Tensor& running_mean, const Tensor& running_var, bool training,
                           double momentum, double eps);
struct BatchNormGrads {
  Tensor grad_x, grad_weight, grad_bias;
};
BatchNormGrads batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight,
                                   const Tensor& save_mean, const Tensor& save_invstd,
                                   bool training);
// Inverted dropout: keep-mask scaled by 1/(1 − p), like x.
Tensor dropout_mask(const Shape& shape, double p, Generator& gen, DType dtype = DType::Float32,
                    Device device = Device::cpu());

// ---- indexing and joining (tensor/ops/index.cpp) ----
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// out = x.clone(); out[index[i][j]][j] += src[i][j] (dim 0; likewise for other dims)
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
Tensor masked_select(const Tensor& x, const Tensor& mask);  // 1-d
Tensor one_hot(const Tensor& labels, int64_t classes, DType dtype = DType::Float32);

}  // namespace camlab::ops
