#include "nn/optim/sgd.h"

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::nn {

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params), options.lr), options_(options) {
  CAMLAB_CHECK(options.momentum >= 0 && options.weight_decay >= 0,
               "SGD: momentum {} and weight_decay {} must be non-negative", options.momentum,
               options.weight_decay);
  CAMLAB_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
               "SGD: nesterov needs momentum > 0 and dampening 0 (got momentum {}, dampening {})",
               options.momentum, options.dampening);
}

void SGD::step() {
  autograd::NoGradGuard no_grad;
  const double mu = options_.momentum;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor param = params_[i];
    const Tensor grad = param.grad();
    if (!grad.defined()) continue;
    Tensor d = grad;  // like param
    if (options_.weight_decay != 0) d = ops::add(d, ops::mul(param, options_.weight_decay));
    if (mu != 0) {
      Tensor& buffer = state(i, "momentum_buffer");  // like param
      if (!buffer.defined()) {
        buffer = d.clone();
      } else {
        buffer.copy_(ops::add(ops::mul(buffer, mu), ops::mul(d, 1 - options_.dampening)));
      }
      d = options_.nesterov ? ops::add(d, ops::mul(buffer, mu)) : buffer;
    }
    param.copy_(ops::sub(param, ops::mul(d, lr_)));
  }
  ++steps_;
}

}  // namespace camlab::nn
