#include "nn/dropout.h"

#include "autograd/ops.h"

namespace camlab::nn {
namespace {

double checked_p(double p) {
  CAMLAB_CHECK(p >= 0 && p <= 1, "Dropout: p must be within [0, 1], got {}", p);
  return p;
}

}  // namespace

Dropout::Dropout(double p, uint64_t seed) : p_(checked_p(p)), owned_(seed), gen_(&owned_) {}

Dropout::Dropout(double p, Generator& gen) : p_(checked_p(p)), gen_(&gen) {}

Tensor Dropout::forward(const Tensor& x) { return camlab::dropout(x, p_, is_training(), *gen_); }

std::string Dropout::extra_repr() const { return fmt::format("p={}, inplace=False", p_); }

}  // namespace camlab::nn
