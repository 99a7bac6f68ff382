// The closed list of kernels every backend implements, and the table type that holds them.
//
//   Op op = Op::conv2d_forward;
//   fmt::print("{}\n", op_name(op));          // "conv2d_forward"
//   dispatch(op, device, args);               // runs the kernel registered for device.type
//
// The X-macro keeps the enum, its names and the size of every table in step: adding an op here
// makes the "every CPU kernel is registered" test fail until a kernel exists.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

// clang-format off
#define CAMLAB_OPS(X)                                                                              \
  /* memory */                                                                                     \
  X(fill) X(copy) X(arange) X(uniform) X(normal) X(randint)                                        \
  /* unary elementwise */                                                                          \
  X(neg) X(exp) X(log) X(sqrt) X(rsqrt) X(abs) X(sign) X(relu) X(sigmoid) X(tanh) X(gelu) X(erf)  \
  X(leaky_relu) X(elu) X(clamp) X(pow_scalar) X(add_scalar) X(mul_scalar) X(logical_not)           \
  /* binary elementwise */                                                                         \
  X(add) X(sub) X(mul) X(div) X(pow) X(minimum) X(maximum) X(eq) X(ne) X(lt) X(le) X(gt) X(ge)     \
  X(where)                                                                                         \
  /* activation backwards: grad_x from (grad_y, x or y) */                                         \
  X(relu_backward) X(sigmoid_backward) X(tanh_backward) X(gelu_backward) X(leaky_relu_backward)    \
  X(elu_backward)                                                                                  \
  /* reductions */                                                                                 \
  X(sum) X(amax) X(amin) X(argmax) X(argmin) X(softmax) X(log_softmax) X(softmax_backward)         \
  X(log_softmax_backward)                                                                          \
  /* linear algebra */                                                                             \
  X(matmul)                                                                                        \
  /* convolution and image ops */                                                                  \
  X(im2col) X(col2im) X(conv2d_forward) X(conv2d_backward_input) X(conv2d_backward_weight)       \
  X(max_pool2d) X(max_pool2d_backward) X(avg_pool2d) X(avg_pool2d_backward)    \
  X(adaptive_avg_pool2d) X(adaptive_avg_pool2d_backward) X(upsample_bilinear2d)                    \
  X(upsample_bilinear2d_backward) X(upsample_nearest2d) X(upsample_nearest2d_backward)             \
  X(batch_norm_stats) X(batch_norm_apply) X(batch_norm_backward) X(dropout_mask)                   \
  /* indexing */                                                                                   \
  X(index_select) X(gather) X(scatter_add) X(masked_fill)
// clang-format on

namespace camlab {

enum class Op : std::size_t {
#define CAMLAB_OP_ENUM(name) name,
  CAMLAB_OPS(CAMLAB_OP_ENUM)
#undef CAMLAB_OP_ENUM
      COUNT
};

inline constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::COUNT);

inline constexpr std::array<std::string_view, kOpCount> kOpNames = {
#define CAMLAB_OP_NAME(name) #name,
    CAMLAB_OPS(CAMLAB_OP_NAME)
#undef CAMLAB_OP_NAME
};
static_assert(kOpNames.size() == kOpCount);

constexpr std::string_view op_name(Op op) { return kOpNames[static_cast<std::size_t>(op)]; }

}  // namespace camlab
