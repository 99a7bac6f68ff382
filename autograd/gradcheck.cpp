#include "autograd/gradcheck.h"

#include <fmt/format.h>

#include <cmath>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
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
  std::vector<Tensor> analytic = grad({out}, differentiable, {v.to(out.dtype())},
                                      /*retain_graph=*/false, /*allow_unused=*/true);

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

}  // namespace camlab::autograd
