// Exporters before ONNX opset 20 write the exact GELU, x·Φ(x) = x · (1 + erf(x/√2)) / 2, as five
// nodes: Div(x, √2) -> Erf -> Add(1) -> Mul(x, ·) -> Mul(0.5). This pass finds that chain and puts
// one Gelu node (ONNX 20's op, approximate = "none") in its place, which runs camlab's exact GELU
// kernel — the same function, without an Erf op.
//
//   GraphDef def = ...;               // ConvNeXt exported at opset 13
//   int64_t fused = fuse_exact_gelu(def);   // one per block; the chain's last output is kept
#pragma once

#include <cstdint>

#include "nn/graph/graph_def.h"

namespace camlab::nn {

// Rewrites `def` in place; returns how many chains it fused. A chain whose intermediate values are
// read elsewhere, or whose constants are not √2, 1 and 0.5, is left alone.
int64_t fuse_exact_gelu(GraphDef& def);

}  // namespace camlab::nn
