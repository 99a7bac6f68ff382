#include "cam/methods/map_ops.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
std::vector<double> centre_channels(const double* x, int64_t k, int64_t hw) {
  std::vector<double> centered(static_cast<size_t>(k * hw));
  for (int64_t c = 0; c < k; ++c) {
    double mean = 0;
    for (int64_t i = 0; i < hw; ++i) mean += x[c * hw + i];
    mean /= static_cast<double>(hw);
    for (int64_t i = 0; i < hw; ++i) centered[c * hw + i] = x[c * hw + i] - mean;
  }
  return centered;
}

std::vector<double> principal_projection(const double* x, int64_t k, int64_t hw) {
  const std::vector<double> centered = centre_channels(x, k, hw);  // X_c, stored [K, hw]
  std::vector<double> p(static_cast<size_t>(hw), 0.0);
  if (k <= hw) {
    // Gram X_cᵀX_c [K, K]; v₁ its top eigenvector; p = X_c·v₁.
    std::vector<double> gram(static_cast<size_t>(k * k), 0.0);
    for (int64_t a = 0; a < k; ++a) {
      for (int64_t b = a; b < k; ++b) {
        const double* row_a = centered.data() + a * hw;
        const double* row_b = centered.data() + b * hw;
        double dot = 0;
#pragma omp simd reduction(+ : dot)  // lanes of partial sums: the dot vectorises
        for (int64_t i = 0; i < hw; ++i) dot += row_a[i] * row_b[i];
        gram[a * k + b] = gram[b * k + a] = dot;
      }
    }
    const Eigenpair top = top_eigenpair(std::move(gram), k);
    for (int64_t c = 0; c < k; ++c) {
      for (int64_t i = 0; i < hw; ++i) p[i] += centered[c * hw + i] * top.vector[c];
    }
  } else {
    // Gram X_cX_cᵀ [hw, hw]; X_c·v₁ = σ₁·u₁ with u₁ its top eigenvector and σ₁² its eigenvalue.
    std::vector<double> gram(static_cast<size_t>(hw * hw), 0.0);
    for (int64_t c = 0; c < k; ++c) {
      const double* row = centered.data() + c * hw;
      for (int64_t i = 0; i < hw; ++i) {
        for (int64_t j = i; j < hw; ++j) gram[i * hw + j] += row[i] * row[j];
      }
    }
    for (int64_t i = 0; i < hw; ++i) {
      for (int64_t j = 0; j < i; ++j) gram[i * hw + j] = gram[j * hw + i];
    }
    const Eigenpair top = top_eigenpair(std::move(gram), hw);
    const double sigma = std::sqrt(std::max(top.value, 0.0));
    for (int64_t i = 0; i < hw; ++i) p[i] = sigma * top.vector[i];
  }
  return p;
}

void orient_like_mean_activation(std::vector<double>& p, const double* x, int64_t k, int64_t hw) {
  // p is centred, so p · mean_c(x) is the correlation's sign: agree with the mean activation.
  double agreement = 0;
  for (int64_t i = 0; i < hw; ++i) {
    double mean = 0;
    for (int64_t c = 0; c < k; ++c) mean += x[c * hw + i];
    agreement += p[i] * mean;
  }
  if (agreement < 0) {
    for (double& value : p) value = -value;
  }
}

Tensor project_images(const Tensor& terms, const ImageProjection& project) {
  CAMLAB_CHECK(terms.dim() == 4, "project_images: terms must be [N, K, h, w], got {}",
               shape_str(terms.shape()));
  const int64_t n = terms.size(0), k = terms.size(1), h = terms.size(2), w = terms.size(3);
  Tensor host = terms.to(Device::cpu()).to(DType::Float64).contiguous();  // [N, K, h, w]
  Tensor out = Tensor::empty({n, h, w}, DType::Float64);                  // [N, h, w]
  const double* x = host.data<double>();
  double* p = out.data<double>();
  // Images are independent and each costs O(min(h·w, K)³): one per thread. An exception may not
  // leave an OpenMP region (it would terminate the process): the first is kept and rethrown.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < n; ++i) {
    try {
      const std::vector<double> projection = project(x + i * k * h * w, k, h * w);
      std::copy(projection.begin(), projection.end(), p + i * h * w);
    } catch (...) {
#pragma omp critical(project_images_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return out.to(terms.dtype()).to(terms.device());
}

Tensor first_component(const Tensor& terms) {
  CAMLAB_CHECK(terms.dim() == 4, "first_component: terms must be [N, K, h, w], got {}",
               shape_str(terms.shape()));
  return project_images(terms, [](const double* x, int64_t k, int64_t hw) {
    std::vector<double> p = principal_projection(x, k, hw);
    orient_like_mean_activation(p, x, k, hw);
    return p;
  });
}

Tensor reduce_contributions(const Tensor& terms, bool eigen) {
  CAMLAB_CHECK(terms.dim() == 4, "reduce_contributions: terms must be [N, K, h, w], got {}",
               shape_str(terms.shape()));
  return ops::relu(eigen ? first_component(terms) : ops::sum(terms, {1}));
}

Tensor upsample_maps(const Tensor& raw, int64_t height, int64_t width) {
  CAMLAB_CHECK(raw.dim() == 3, "upsample_maps: maps must be [N, h, w], got {}",
               shape_str(raw.shape()));
  if (raw.size(1) == height && raw.size(2) == width) return raw;
  return ops::upsample_bilinear2d(raw.unsqueeze(1), {height, width}, false).squeeze(1);
}

Tensor minmax_normalize(const Tensor& maps) {
  CAMLAB_CHECK(maps.dim() == 3, "minmax_normalize: maps must be [N, H, W], got {}",
               shape_str(maps.shape()));
  Tensor low = ops::amin(maps, {1, 2}, true);  // [N, 1, 1]
  Tensor span = ops::sub(ops::amax(maps, {1, 2}, true), low);
  Tensor flat = ops::gt(span, 0.0);  // false where the map is constant
  Tensor safe_span = ops::where(flat, span, ops::ones_like(span));
  return ops::where(flat, ops::div(ops::sub(maps, low), safe_span), ops::zeros_like(maps));
}

Tensor display_maps(const Tensor& raw, int64_t height, int64_t width) {
  return minmax_normalize(upsample_maps(raw, height, width));
}

Tensor fuse_layers(const std::vector<Tensor>& raws, int64_t height, int64_t width) {
  CAMLAB_CHECK(!raws.empty(), "fuse_layers: no maps to fuse");
  Tensor sum = display_maps(raws[0], height, width);
  for (size_t i = 1; i < raws.size(); ++i)
    sum = ops::add(sum, display_maps(raws[i], height, width));
  return ops::mul(sum, 1.0 / static_cast<double>(raws.size()));
}

Tensor flip_width(const Tensor& x) {
  const int64_t width = x.size(-1);
  Tensor reversed =
      ops::arange(static_cast<double>(width - 1), -1.0, -1.0, DType::Int64, x.device());
  return ops::index_select(x, x.dim() - 1, reversed);
}

}  // namespace camlab::cam
