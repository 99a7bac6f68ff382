#include "autograd/gradcheck.h"

#include <fmt/format.h>

#include <cmath>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace camlab::autograd {
namespace {

// vᵀ f(inputs) as a double, under no-grad (the numeric side records nothing).
double projected(const GradcheckFn& f, const std::vector<Tensor>& inputs, const Tensor& v) {
  NoGradGuard no_grad;
  Tensor out = f(inputs);
  return ops::sum(ops::mul(out.to(DType::Float64), v)).item();
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    CAMLAB_CHECK(
        !inputs[i].defined() || !inputs[i].requires_grad() || inputs[i].dtype() == DType::Float64,
        "gradcheck: input {} is {}; finite differences need float64", i,
        dtype_name(inputs[i].dtype()));
  }
  // Leaves that own contiguous copies, so perturbing one element touches nothing else.
  std::vector<Tensor> leaves;
  for (const Tensor& t : inputs) {
    if (!t.defined() || !t.requires_grad()) {
      leaves.push_back(t);
      continue;
    }
    Tensor copy;
    {
      NoGradGuard no_grad;  // a fresh leaf: the copy itself is not part of any graph
      copy = t.contiguous().clone();
    }
    copy.set_requires_grad(true);
    leaves.push_back(copy);
  }
  // To check a kernel on non-contiguous input, make the view inside f (e.g. transpose there).
  Tensor out = f(leaves);
  Generator gen(options.seed);
  Tensor v = ops::randn(out.shape(), gen, DType::Float64);
  std::vector<Tensor> differentiable;
  std::vector<size_t> which;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i].defined() && leaves[i].requires_grad()) {
      differentiable.push_back(leaves[i]);
      which.push_back(i);
    }
  }
  // An output that depends on no input (the gradient of a linear op, under gradgradcheck) has a
  // zero gradient; the numeric side confirms it.
  std::vector<Tensor> analytic(differentiable.size());
  if (out.requires_grad()) {
    analytic = grad({out}, differentiable, {v.to(out.dtype())}, /*retain_graph=*/false,
                    /*allow_unused=*/true);
  }

  GradcheckResult result;
  for (size_t d = 0; d < differentiable.size(); ++d) {
    Tensor& leaf = differentiable[d];
    double* x = leaf.data<double>();
    Tensor a = analytic[d].defined() ? analytic[d].contiguous() : ops::zeros_like(leaf);
    for (int64_t e = 0; e < leaf.numel(); ++e) {
      double saved = x[e];
      x[e] = saved + options.eps;
      double plus = projected(f, leaves, v);
      x[e] = saved - options.eps;
      double minus = projected(f, leaves, v);
      x[e] = saved;
      double numeric = (plus - minus) / (2 * options.eps);
      double got = a.data<double>()[e];
      double excess = std::abs(got - numeric) - options.atol - options.rtol * std::abs(numeric);
      if (excess > result.max_error || (std::isnan(got) && result.ok)) {
        result.max_error = std::max(result.max_error, excess);
        result.ok = false;
        result.message = fmt::format(
            "gradcheck: input {} (shape {}), element {}: analytic {:.10g} vs numeric {:.10g} "
            "(|diff| {:.3g}, allowed {:.3g})",
            which[d], shape_str(leaf.shape()), e, got, numeric, std::abs(got - numeric),
            options.atol + options.rtol * std::abs(numeric));
      }
    }
  }
  if (result.ok) result.message = "gradcheck: ok";
  return result;
}

namespace {

// Every op has two backwards (autograd/function.h); finite differences of the differentiable one
// alone would accept a wrong first derivative that is consistently wrong. So its first-order
// values must equal the fast path's: d(vᵀf)/dx both ways, compared element by element.
GradcheckResult compare_backwards(const GradcheckFn& f, const std::vector<Tensor>& inputs,
                                  const GradcheckOptions& options) {
  std::vector<Tensor> wrt;
  for (const Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) wrt.push_back(t);
  }
  GradModeGuard recording(true);
  Tensor out = f(inputs);
  Generator gen(options.seed + 1);
  Tensor v = ops::randn(out.shape(), gen, DType::Float64).to(out.dtype());
  std::vector<Tensor> fast = grad({out}, wrt, {v}, /*retain_graph=*/true, /*allow_unused=*/true);
  std::vector<Tensor> recorded = grad({out}, wrt, {v}, /*retain_graph=*/false,
                                      /*allow_unused=*/true, /*create_graph=*/true);
  GradcheckResult result;
  for (size_t i = 0; i < wrt.size(); ++i) {
    NoGradGuard no_grad;
    if (fast[i].defined() != recorded[i].defined()) {
      result.ok = false;
      result.message = fmt::format(
          "gradgradcheck: input {}: one backward gives a gradient and the other none", i);
      return result;
    }
    if (!fast[i].defined()) continue;
    const double diff = ops::amax(ops::abs(ops::sub(fast[i], recorded[i]))).item();
    const double scale = ops::amax(ops::abs(fast[i])).item();
    if (diff > options.atol + options.rtol * scale) {
      result.ok = false;
      result.max_error = diff;
      result.message = fmt::format(
          "gradgradcheck: input {} (shape {}): the differentiable backward differs from the "
          "backward by up to {:.3g} (gradient magnitude {:.3g})",
          i, shape_str(wrt[i].shape()), diff, scale);
      return result;
    }
  }
  return result;
}

}  // namespace

GradcheckResult gradgradcheck(const GradcheckFn& f, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options) {
  GradcheckResult same = compare_backwards(f, inputs, options);
  if (!same.ok) return same;
  Tensor v;  // [f's output shape], drawn on the first call
  auto first_gradient = [&](const std::vector<Tensor>& in) -> Tensor {
    // gradcheck's numeric side calls this under NoGradGuard; a gradient needs a graph, so
    // recording is switched on inside and the result detached on the way out.
    const bool outer_grad_mode = grad_enabled();
    Tensor flat;
    {
      GradModeGuard recording(true);
      Tensor out = f(in);
      if (!v.defined()) {
        Generator gen(options.seed + 1);
        v = ops::randn(out.shape(), gen, DType::Float64).to(out.dtype());
      }
      std::vector<Tensor> wrt;
      for (const Tensor& t : in) {
        if (t.defined() && t.requires_grad()) wrt.push_back(t);
      }
      std::vector<Tensor> grads = grad({out}, wrt, {v}, /*retain_graph=*/false,
                                       /*allow_unused=*/true, /*create_graph=*/true);
      std::vector<Tensor> pieces;  // each gradient flattened; zeros where unused
      for (size_t i = 0; i < grads.size(); ++i) {
        Tensor g = grads[i].defined() ? grads[i] : ops::zeros_like(detach(wrt[i]));
        pieces.push_back(camlab::reshape(g, {g.numel()}));
      }
      flat = camlab::cat(pieces, 0);
    }
    return outer_grad_mode ? flat : detach(flat);
  };
  GradcheckResult result = gradcheck(first_gradient, inputs, options);
  if (result.ok) {
    result.message = "gradgradcheck: ok";
  } else {
    result.message = "gradgradcheck (the input's gradient as the function): " + result.message;
  }
  return result;
}

}  // namespace camlab::autograd
