// Tensor::str(): PyTorch's printing, e.g.
//   tensor([[ 0.1000, -2.0000],
//           [ 3.5000,  4.0000]], dtype=torch.float64)
// Above 1000 elements each dim shows its first and last 3 entries around "...".
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "tensor/graph_guard.h"
#include "tensor/tensor.h"

namespace camlab {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct NumberStyle {
  bool integral = true;     // all values whole: print "3." (floats) or "3" (ints)
  bool scientific = false;  // huge or tiny magnitudes
  bool is_float = true;
  bool is_bool = false;
};

NumberStyle choose_style(const std::vector<double>& values, DType dtype) {
  NumberStyle style;
  style.is_float = is_floating(dtype);
  style.is_bool = dtype == DType::Bool;
  double max_abs = 0, min_abs = INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v != std::floor(v)) style.integral = false;
    max_abs = std::max(max_abs, std::abs(v));
    if (v != 0) min_abs = std::min(min_abs, std::abs(v));
  }
  style.scientific =
      style.is_float && (max_abs >= 1e8 || (min_abs < 1e-4 && !style.integral) ||
                         (max_abs / min_abs > 1e3 && !style.integral && min_abs < 1e-2));
  return style;
}

std::string format_number(double v, const NumberStyle& style) {
  if (style.is_bool) return v != 0 ? "True" : "False";
  if (!style.is_float) return fmt::format("{}", static_cast<int64_t>(v));
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (style.scientific) return fmt::format("{:.4e}", v);
  if (style.integral) return fmt::format("{:.0f}.", v);
  return fmt::format("{:.4f}", v);
}

class Printer {
 public:
  Printer(const Tensor& host, bool summarize)
      : t_(host.to(DType::Float64).contiguous()), summarize_(summarize) {}

  std::vector<double> visible_values() const {
    std::vector<double> out;
    collect(0, 0, out);
    return out;
  }

  std::string render(const NumberStyle& style, size_t width, size_t indent) const {
    return render_dim(0, 0, style, width, indent);
  }

 private:
  std::vector<int64_t> shown(int64_t dim) const {
    int64_t n = t_.size(dim);
    std::vector<int64_t> idx;
    if (summarize_ && n > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
      idx.push_back(-1);  // the "..." marker
      for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    }
    return idx;
  }

  void collect(int64_t dim, int64_t offset, std::vector<double>& out) const {
    const double* data = t_.data<double>();
    if (dim == t_.dim()) {
      out.push_back(data[offset]);
      return;
    }
    for (int64_t i : shown(dim)) {
      if (i >= 0) collect(dim + 1, offset + i * t_.stride(dim), out);
    }
  }

  std::string render_dim(int64_t dim, int64_t offset, const NumberStyle& style, size_t width,
                         size_t indent) const {
    const double* data = t_.data<double>();
    if (dim == t_.dim()) {
      std::string s = format_number(data[offset], style);
      return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
    }
    std::string out = "[";
    // Rows of the innermost dim are separated by ", "; outer dims by a comma, one blank line per
    // remaining dim, and the indent of the next bracket.
    std::string separator = ", ";
    if (dim + 1 != t_.dim()) {
      separator = fmt::format(",{}{}", std::string(static_cast<size_t>(t_.dim() - dim - 1), '\n'),
                              std::string(indent + static_cast<size_t>(dim) + 1, ' '));
    }
    bool first = true;
    for (int64_t i : shown(dim)) {
      if (!first) out += separator;
      first = false;
      if (i < 0) {
        out += "...";
      } else {
        out += render_dim(dim + 1, offset + i * t_.stride(dim), style, width, indent);
      }
    }
    return out + "]";
  }

  Tensor t_;
  bool summarize_;
};

}  // namespace

std::string Tensor::str() const {
  const RawOpScope reads_only;  // printing reads values: nothing to track
  if (!defined()) return "tensor(undefined)";
  Tensor host = to(Device::cpu());
  Printer printer(host, numel() > kSummarizeAbove);
  std::vector<double> values = printer.visible_values();
  NumberStyle style = choose_style(values, dtype());
  size_t width = 0;
  for (double v : values) width = std::max(width, format_number(v, style).size());

  std::string body = numel() == 0 ? "[]" : printer.render(style, width, 7);
  std::string suffix;
  if (numel() > kSummarizeAbove || numel() == 0)
    suffix += fmt::format(", size={}", shape_str(shape()));
  if (dtype() != DType::Float32 && dtype() != DType::Int64 && dtype() != DType::Bool) {
    suffix += fmt::format(", dtype=torch.{}", dtype_name(dtype()));
  }
  if (!device().is_cpu()) suffix += fmt::format(", device='{}'", device().str());
  if (requires_grad()) suffix += ", requires_grad=True";
  return fmt::format("tensor({}{})", body, suffix);
}

}  // namespace camlab
