#include "tensor/generator.h"

#include <numeric>

#include "tensor/error.h"
#include "tensor/philox.h"

namespace camlab {

double Generator::uniform() { return philox_uniform(seed_, advance(1)); }

int64_t Generator::integer(int64_t low, int64_t high) {
  CAMLAB_CHECK(low < high, "Generator::integer: empty range [{}, {})", low, high);
  auto span = static_cast<double>(high - low);
  return low + std::min<int64_t>(static_cast<int64_t>(uniform() * span), high - low - 1);
}

std::vector<int64_t> Generator::permutation(int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[integer(0, i + 1)]);
  return order;
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

}  // namespace camlab
