// Unrolling convolution windows into GEMM columns (im2col) and folding them back (col2im), for
// the CPU kernels in tensor/cpu/conv2d.cpp.
//
//   ConvGeometry g = make_conv_geometry(x.shape(), w.size(0), params);   // tensor/conv_geometry.h
//   ColsLayout layout = make_layout(g);
//   const float* cols = unroll(x_g, g, layout, padded, buffer);  // [K, layout.cols]
//   fold(dcols, g, layout, padded, dx_g);                        // dx_g = col2im(dcols)
//
// cols has K = (C/g)·kh·kw rows ordered (c, ki, kj). With unit stride each row is one contiguous
// slice of a zero-padded copy of the input, if the output rows are taken Wp (padded width) wide
// instead of Wo: the last Wp − Wo columns of every output row are then junk, dropped on the way
// out, and must be zero in any gradient folded back. One long copy per row instead of Ho short
// ones is what makes unrolling cheap next to the GEMM.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "tensor/conv_geometry.h"

namespace camlab::cpu {

// ---- im2col proper: any stride -----------------------------------------------------------------

// The output columns [begin, end) whose input column ow·stride + offset lies inside [0, width).
struct ValidRange {
  int64_t begin, end;
};

inline ValidRange valid_outputs(int64_t offset, int64_t stride, int64_t width, int64_t out_width) {
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t end = width - offset <= 0 ? 0 : (width - offset + stride - 1) / stride;
  begin = std::min(begin, out_width);
  end = std::clamp(end, begin, out_width);
  return {begin, end};
}

// x: [channels, H, W] -> cols: [channels·kh·kw, Ho·Wo]; padding reads as zero.
template <typename T>
void im2col_channels(const T* x, int64_t channels, const ConvGeometry& g, T* cols) {
  const int64_t P = g.col_cols();
  for (int64_t c = 0; c < channels; ++c) {
    const T* plane = x + c * g.plane();
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        T* row = cols + ((c * g.kh + ki) * g.kw + kj) * P;
        const int64_t col_offset = kj * g.dw - g.pw;
        const ValidRange valid = valid_outputs(col_offset, g.sw, g.width, g.out_width);
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
          T* out = row + oh * g.out_width;
          const int64_t ih = oh * g.sh - g.ph + ki * g.dh;
          if (ih < 0 || ih >= g.height) {
            std::fill(out, out + g.out_width, T(0));
            continue;
          }
          const T* in = plane + ih * g.width + col_offset;  // in[ow·sw] is x[c, ih, iw]
          std::fill(out, out + valid.begin, T(0));
          for (int64_t ow = valid.begin; ow < valid.end; ++ow) out[ow] = in[ow * g.sw];
          std::fill(out + valid.end, out + g.out_width, T(0));
        }
      }
    }
  }
}

// The adjoint of im2col: cols [channels·kh·kw, Ho·Wo] summed into x [channels, H, W] (x += ...).
template <typename T>
void col2im_channels(const T* cols, int64_t channels, const ConvGeometry& g, T* x) {
  const int64_t P = g.col_cols();
  for (int64_t c = 0; c < channels; ++c) {
    T* plane = x + c * g.plane();
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const T* row = cols + ((c * g.kh + ki) * g.kw + kj) * P;
        const int64_t col_offset = kj * g.dw - g.pw;
        const ValidRange valid = valid_outputs(col_offset, g.sw, g.width, g.out_width);
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
          const int64_t ih = oh * g.sh - g.ph + ki * g.dh;
          if (ih < 0 || ih >= g.height) continue;
          const T* in = row + oh * g.out_width;
          T* out = plane + ih * g.width + col_offset;
          for (int64_t ow = valid.begin; ow < valid.end; ++ow) out[ow * g.sw] += in[ow];
        }
      }
    }
  }
}

// ---- the layout the fused kernels use ----------------------------------------------------------

enum class Unroll {
  direct,   // 1x1 kernel, unit stride, no padding: cols is the input itself
  wide,     // unit stride: rows are slices of a zero-padded copy, output rows Wp wide
  generic,  // im2col proper, output rows Wo wide
};

struct ColsLayout {
  Unroll kind;
  int64_t row_width;     // columns per output row: Wp when wide, W when direct, else Wo
  int64_t cols;          // P = Ho·row_width
  int64_t padded_plane;  // Hp·Wp when wide, else 0
  int64_t padded_size;   // elements of the padded copy, with slack for the last rows' junk
  int64_t cols_size;     // elements of the cols buffer; 0 when direct
};

inline ColsLayout make_layout(const ConvGeometry& g) {
  ColsLayout l{};
  const int64_t K = g.group_col_rows();
  if (g.cols_are_input()) {
    l.kind = Unroll::direct;
    l.row_width = g.width;
  } else if (g.sh == 1 && g.sw == 1) {
    l.kind = Unroll::wide;
    l.row_width = g.width + 2 * g.pw;
    l.padded_plane = (g.height + 2 * g.ph) * l.row_width;
    // The last row of cols starts (kw − 1)·dw past the last plane's origin and runs Ho·Wp long.
    l.padded_size = g.group_channels() * l.padded_plane + (g.kw - 1) * g.dw;
  } else {
    l.kind = Unroll::generic;
    l.row_width = g.out_width;
  }
  l.cols = g.out_height * l.row_width;
  l.cols_size = l.kind == Unroll::direct ? 0 : K * l.cols;
  return l;
}

// Where row (c, ki, kj) of wide cols starts inside the padded copy.
inline int64_t wide_row_offset(const ConvGeometry& g, const ColsLayout& l, int64_t c, int64_t ki,
                               int64_t kj) {
  return c * l.padded_plane + ki * g.dh * l.row_width + kj * g.dw;
}

// x_g: [C/g, H, W] -> cols [K, P]. `padded` holds padded_size elements whose borders and slack
// are zero (only the interior is written here); `buffer` holds cols_size elements.
template <typename T>
const T* unroll(const T* x_g, const ConvGeometry& g, const ColsLayout& l, T* padded, T* buffer) {
  const int64_t Cg = g.group_channels();
  switch (l.kind) {
    case Unroll::direct: return x_g;
    case Unroll::generic: im2col_channels(x_g, Cg, g, buffer); return buffer;
    case Unroll::wide: break;
  }
  for (int64_t c = 0; c < Cg; ++c) {
    for (int64_t h = 0; h < g.height; ++h) {
      std::memcpy(padded + c * l.padded_plane + (h + g.ph) * l.row_width + g.pw,
                  x_g + (c * g.height + h) * g.width, sizeof(T) * static_cast<size_t>(g.width));
    }
  }
  T* row = buffer;
  for (int64_t c = 0; c < Cg; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj, row += l.cols) {
        std::memcpy(row, padded + wide_row_offset(g, l, c, ki, kj),
                    sizeof(T) * static_cast<size_t>(l.cols));
      }
    }
  }
  return buffer;
}

// dcols [K, P] -> dx_g: [C/g, H, W] (overwritten), summing overlapping windows. Wide layouts need
// dcols' junk columns to be zero: they land on other pixels of the padded copy. (A direct layout
// has nothing to fold: its dcols is dX itself.)
template <typename T>
void fold(const T* dcols, const ConvGeometry& g, const ColsLayout& l, T* padded, T* dx_g) {
  const int64_t Cg = g.group_channels();
  if (l.kind == Unroll::generic) {
    std::fill(dx_g, dx_g + Cg * g.plane(), T(0));
    col2im_channels(dcols, Cg, g, dx_g);
    return;
  }
  std::fill(padded, padded + l.padded_size, T(0));
  const T* row = dcols;
  for (int64_t c = 0; c < Cg; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj, row += l.cols) {
        T* out = padded + wide_row_offset(g, l, c, ki, kj);
        for (int64_t i = 0; i < l.cols; ++i) out[i] += row[i];
      }
    }
  }
  for (int64_t c = 0; c < Cg; ++c) {
    for (int64_t h = 0; h < g.height; ++h) {
      const T* src = padded + c * l.padded_plane + (h + g.ph) * l.row_width + g.pw;
      std::copy(src, src + g.width, dx_g + (c * g.height + h) * g.width);
    }
  }
}

}  // namespace camlab::cpu
