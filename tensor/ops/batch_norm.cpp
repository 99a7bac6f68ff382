// Frontends of batch norm (Ioffe & Szegedy 2015): validate, view x as [N, C, S], dispatch the
// kernels of tensor/cpu/batch_norm.cpp, and keep the running statistics as PyTorch does.
#include <algorithm>
#include <string>

#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

// x [N, C, *] as [N, C, S]: a view when the strides allow, else a contiguous copy.
Tensor as_ncs(const Tensor& x) { return x.reshape({x.size(0), x.size(1), -1}); }

// [C] -> [1, C, 1, ..., 1], broadcastable against x of rank `rank`.
Tensor channel_view(const Tensor& v, int64_t rank) {
  Shape shape(static_cast<size_t>(rank), 1);
  shape[1] = v.size(0);
  return v.reshape(shape);
}

void check_input(const Tensor& x, const char* op) {
  CAMLAB_CHECK(x.defined(), "{}: the input is undefined", op);
  CAMLAB_CHECK(x.dim() >= 2, "{}: input must be [N, C] or [N, C, H, W] (any trailing dims), got {}",
               op, shape_str(x.shape()));
  CAMLAB_CHECK(is_floating(x.dtype()), "{}: input must be float32 or float64, got {}", op,
               dtype_name(x.dtype()));
}

// A per-channel vector [C] in x's dtype and contiguous, as the kernels read it; an undefined one
// becomes full(default_value): ones for a missing weight, zeros for a missing bias.
Tensor channel_param(const Tensor& v, const Tensor& x, const char* op, const char* name,
                     double default_value) {
  const int64_t channels = x.size(1);
  if (!v.defined()) return full({channels}, default_value, x.dtype(), x.device());
  CAMLAB_CHECK(v.dim() == 1 && v.size(0) == channels,
               "{}: {} must be [{}] for input {} with {} channels, got {}", op, name, channels,
               shape_str(x.shape()), channels, shape_str(v.shape()));
  CAMLAB_CHECK(v.device() == x.device(), "{}: {} is on {} but the input on {}", op, name,
               v.device().str(), x.device().str());
  return v.to(x.dtype()).contiguous();
}

void check_param_dtype(const Tensor& v, const Tensor& x, const char* name) {
  if (!v.defined()) return;
  CAMLAB_CHECK(v.dtype() == x.dtype(),
               "batch_norm: {} is {} but the input {} is {}; convert one with .to(DType::...)",
               name, dtype_name(v.dtype()), shape_str(x.shape()), dtype_name(x.dtype()));
}

// Running statistics are buffers of any floating dtype; they are read and written converted.
void check_running(const Tensor& v, const Tensor& x, const char* name) {
  if (!v.defined()) return;
  CAMLAB_CHECK(v.dim() == 1 && v.size(0) == x.size(1) && is_floating(v.dtype()),
               "batch_norm: {} must be a float [{}] for input {}, got {} {}", name, x.size(1),
               shape_str(x.shape()), dtype_name(v.dtype()), shape_str(v.shape()));
}

// running = (1 − momentum)·running + momentum·batch, written into running's own storage.
void update_running(const Tensor& running, const Tensor& batch, double momentum) {
  if (!running.defined()) return;
  Tensor old = running.to(batch.dtype());
  Tensor target = running;  // a handle to the same storage: the caller's buffer changes
  target.copy_(add(mul(old, 1 - momentum), mul(batch, momentum)));
}

}  // namespace

BatchNormResult batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                           const Tensor& running_mean, const Tensor& running_var, bool training,
                           double momentum, double eps) {
  const UntrackedOp untracked("ops::batch_norm", "camlab::batch_norm", x, weight, bias);
  check_input(x, "batch_norm");
  check_param_dtype(weight, x, "weight");
  check_param_dtype(bias, x, "bias");
  check_running(running_mean, x, "running_mean");
  check_running(running_var, x, "running_var");
  CAMLAB_CHECK(eps > 0, "batch_norm: eps must be positive, got {}", eps);
  const int64_t channels = x.size(1);
  const int64_t per_channel = x.numel() / std::max<int64_t>(channels, 1);  // M = N·H·W
  Tensor x3 = as_ncs(x);                                                   // [N, C, S]
  Tensor w = channel_param(weight, x, "batch_norm", "weight", 1);          // [C]
  Tensor b = channel_param(bias, x, "batch_norm", "bias", 0);              // [C]

  Tensor mean, invstd;  // [C] each
  if (training) {
    CAMLAB_CHECK(per_channel > 1,
                 "batch_norm: training needs more than one value per channel, got input {} "
                 "({} value per channel); use a batch larger than 1 or eval mode",
                 shape_str(x.shape()), per_channel);
    mean = Tensor::empty({channels}, x.dtype(), x.device());
    Tensor var = Tensor::empty({channels}, x.dtype(), x.device());  // [C] biased, ÷M
    dispatch(Op::batch_norm_stats, x.device(), KernelArgs{.inputs = {x3}, .outputs = {mean, var}});
    invstd = rsqrt(add(var, eps));
    // The running variance is the unbiased one (÷(M − 1)), as PyTorch keeps it.
    const double bessel = static_cast<double>(per_channel) / static_cast<double>(per_channel - 1);
    update_running(running_mean, mean, momentum);
    update_running(running_var, mul(var, bessel), momentum);
  } else {
    CAMLAB_CHECK(running_mean.defined() && running_var.defined(),
                 "batch_norm: eval mode needs running_mean and running_var (input {}); pass them "
                 "or use training mode",
                 shape_str(x.shape()));
    // A copy: the running buffer may change in place before a backward reads the saved mean.
    mean = channel_param(running_mean, x, "batch_norm", "running_mean", 0).clone();
    invstd = rsqrt(add(channel_param(running_var, x, "batch_norm", "running_var", 1), eps));
  }

  Tensor y3 = Tensor::empty(x3.shape(), x.dtype(), x.device());  // [N, C, S]
  dispatch(Op::batch_norm_apply, x.device(),
           KernelArgs{.inputs = {x3, mean, invstd, w, b}, .outputs = {y3}});
  return {.y = y3.view(x.shape()), .save_mean = mean, .save_invstd = invstd};
}

BatchNormGrads batch_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight,
                                   const Tensor& save_mean, const Tensor& save_invstd,
                                   bool training) {
  const UntrackedOp untracked("ops::batch_norm_backward", "", grad_y, x, weight);
  check_input(x, "batch_norm_backward");
  CAMLAB_CHECK(grad_y.defined() && grad_y.shape() == x.shape() && grad_y.dtype() == x.dtype(),
               "batch_norm_backward: grad_y must be {} {} like the input, got {} {}",
               dtype_name(x.dtype()), shape_str(x.shape()),
               grad_y.defined() ? std::string(dtype_name(grad_y.dtype())) : "undefined",
               grad_y.defined() ? shape_str(grad_y.shape()) : "");
  const int64_t channels = x.size(1);
  Tensor w = channel_param(weight, x, "batch_norm_backward", "weight", 1);                 // [C]
  Tensor mean = channel_param(save_mean, x, "batch_norm_backward", "save_mean", 0);        // [C]
  Tensor invstd = channel_param(save_invstd, x, "batch_norm_backward", "save_invstd", 1);  // [C]
  Tensor x3 = as_ncs(x);        // [N, C, S]
  Tensor dy3 = as_ncs(grad_y);  // [N, C, S]

  BatchNormGrads grads;
  grads.grad_weight = Tensor::empty({channels}, x.dtype(), x.device());  // [C] Σ dY·x̂
  grads.grad_bias = Tensor::empty({channels}, x.dtype(), x.device());    // [C] Σ dY
  Tensor dx3;  // [N, C, S]; training only, the kernel forms it beside the sums it needs
  if (training) dx3 = Tensor::empty(x3.shape(), x.dtype(), x.device());
  dispatch(Op::batch_norm_backward, x.device(),
           KernelArgs{.inputs = {dy3, x3, mean, invstd, w},
                      .outputs = {dx3, grads.grad_weight, grads.grad_bias}});
  if (training) {
    grads.grad_x = dx3.view(x.shape());
  } else {
    // Eval: μ and σ² are constants, so dX = dY·γ·invstd.
    grads.grad_x = mul(grad_y, channel_view(mul(w, invstd), x.dim()));
  }
  return grads;
}

}  // namespace camlab::ops
