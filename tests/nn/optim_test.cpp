// Optimizers: single steps against the update rules written out with a 2-element parameter, state
// export and resume, skipping parameters without gradients, and clip_grad_norm_.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::values;

using Vec = std::vector<double>;

Tensor param_of(const Vec& v) {
  return Tensor::from_vector<float>(std::vector<float>(v.begin(), v.end()),
                                    {static_cast<int64_t>(v.size())})
      .set_requires_grad(true);
}

void set_grad(Tensor& p, const Vec& g) {
  p.set_grad(Tensor::from_vector<float>(std::vector<float>(g.begin(), g.end()),
                                        {static_cast<int64_t>(g.size())}));
}

void expect_near(const Vec& got, const Vec& want, double tol = 2e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

const Vec kStart = {1.0, -2.0};
const std::vector<Vec> kGrads = {{0.5, 0.25}, {-1.5, 0.75}};

// torch.optim.SGD written out: d = g + λp; b = d (first) or μb + (1 − τ)d; d = d + μb or b.
Vec sgd_reference(const SGDOptions& o) {
  Vec p = kStart, buffer(2);
  for (size_t t = 0; t < kGrads.size(); ++t) {
    for (size_t i = 0; i < 2; ++i) {
      double d = kGrads[t][i] + o.weight_decay * p[i];
      if (o.momentum != 0) {
        buffer[i] = t == 0 ? d : o.momentum * buffer[i] + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * buffer[i] : buffer[i];
      }
      p[i] -= o.lr * d;
    }
  }
  return p;
}

// Kingma & Ba, Algorithm 1 with PyTorch's placement of ε; AdamW decays p before the update.
Vec adam_reference(const AdamOptions& o, bool decoupled) {
  Vec p = kStart, m(2), v(2);
  const auto [b1, b2] = o.betas;
  for (size_t t = 1; t <= kGrads.size(); ++t) {
    for (size_t i = 0; i < 2; ++i) {
      double g = kGrads[t - 1][i];
      if (decoupled) {
        p[i] *= 1 - o.lr * o.weight_decay;
      } else {
        g += o.weight_decay * p[i];
      }
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(b1, t));
      const double denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(b2, t)) + o.eps;
      p[i] -= o.lr * m_hat / denom;
    }
  }
  return p;
}

template <typename Opt, typename Options>
Vec run_two_steps(const Options& options) {
  Tensor p = param_of(kStart);
  const void* storage = p.raw_data();
  Opt opt({p}, options);
  for (const Vec& g : kGrads) {
    set_grad(p, g);
    opt.step();
  }
  EXPECT_EQ(p.raw_data(), storage);  // updated in place
  EXPECT_TRUE(p.is_leaf());
  EXPECT_EQ(opt.steps(), 2);
  return values(p);
}

TEST(SGD, PlainStepIsPMinusLrG) {
  Tensor p = param_of(kStart);
  SGD sgd({p}, {.lr = 0.1});
  set_grad(p, {0.5, 0.25});
  sgd.step();
  expect_near(values(p), {0.95, -2.025});
}

TEST(SGD, MomentumNesterovDampeningAndDecayFollowPyTorch) {
  for (const SGDOptions& o :
       {SGDOptions{.lr = 0.1}, SGDOptions{.lr = 0.1, .momentum = 0.9},
        SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.3},
        SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01},
        SGDOptions{.lr = 0.1, .momentum = 0.8, .weight_decay = 0.05, .nesterov = true}}) {
    SCOPED_TRACE(::testing::Message() << "momentum " << o.momentum << " dampening " << o.dampening
                                      << " nesterov " << o.nesterov);
    expect_near(run_two_steps<SGD>(o), sgd_reference(o));
  }
  EXPECT_ERROR_CONTAINS(SGD({param_of(kStart)}, {.nesterov = true}), "nesterov", "momentum > 0");
}

TEST(Adam, TwoStepsMatchTheAlgorithm) {
  const AdamOptions plain{.lr = 0.1};
  expect_near(run_two_steps<Adam>(plain), adam_reference(plain, false));
  // Step one moves each coordinate by ≈ lr·sign(g): m̂ = g and v̂ = g².
  Tensor p = param_of(kStart);
  Adam adam({p}, plain);
  set_grad(p, kGrads[0]);
  adam.step();
  expect_near(values(p), {0.9, -2.1}, 1e-6);

  const AdamOptions decay{.lr = 0.01, .betas = {0.8, 0.99}, .eps = 1e-3, .weight_decay = 0.1};
  expect_near(run_two_steps<Adam>(decay), adam_reference(decay, false));
}

TEST(AdamW, DecouplesWeightDecay) {
  const AdamOptions o{.lr = 0.1, .weight_decay = 0.5};
  const Vec got = run_two_steps<AdamW>(o);
  expect_near(got, adam_reference(o, true));
  // Not the same as L2 regularisation through the gradient.
  EXPECT_GT(std::abs(got[1] - adam_reference(o, false)[1]), 1e-3);
  Tensor p = param_of(kStart);
  AdamW defaults({p});
  EXPECT_EQ(defaults.options().weight_decay, 1e-2);
  EXPECT_EQ(defaults.type_name(), "AdamW");
}

TEST(Optimizer, ParametersWithoutGradientsAreSkipped) {
  Tensor a = param_of(kStart), b = param_of({3.0, 4.0});
  Adam adam({a, b}, {.lr = 0.1});
  set_grad(a, kGrads[0]);
  adam.step();
  EXPECT_EQ(values(b), (Vec{3.0, 4.0}));
  const NamedTensors state = adam.state_dict();
  EXPECT_TRUE(state.contains("0.exp_avg"));
  EXPECT_FALSE(state.contains("1.exp_avg"));
  adam.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

TEST(Optimizer, StateDictResumesExactly) {
  // Continuous: two steps. Resumed: one step, export, fresh optimizer on a copy, one step.
  const AdamOptions o{.lr = 0.1, .weight_decay = 0.01};
  Tensor p = param_of(kStart);
  Adam first({p}, o);
  set_grad(p, kGrads[0]);
  first.step();
  const NamedTensors state = first.state_dict();
  EXPECT_EQ(state.keys(),
            (std::vector<std::string>{"lr", "steps", "0.exp_avg", "0.exp_avg_sq", "0.step"}));
  EXPECT_EQ(state.at("0.step").dtype(), DType::Int64);
  EXPECT_EQ(state.at("0.step").item(), 1.0);
  Tensor copy = param_of(values(p));
  Adam resumed({copy}, {.lr = 123.0, .weight_decay = 0.01});  // lr comes from the state
  resumed.load_state_dict(state);
  EXPECT_DOUBLE_EQ(resumed.lr(), 0.1);
  EXPECT_EQ(resumed.steps(), 1);
  set_grad(copy, kGrads[1]);
  resumed.step();
  expect_near(values(copy), adam_reference(o, false), 1e-6);

  Tensor q = param_of(kStart);
  SGD sgd({q}, {.lr = 0.1, .momentum = 0.9});
  set_grad(q, kGrads[0]);
  sgd.step();
  NamedTensors sgd_state = sgd.state_dict();
  EXPECT_TRUE(sgd_state.contains("0.momentum_buffer"));
  EXPECT_ERROR_CONTAINS(resumed.load_state_dict(sgd_state), "Adam", "'0.momentum_buffer'",
                        "exp_avg");
  sgd_state.insert("0.momentum_buffer", ops::zeros({3}));
  EXPECT_ERROR_CONTAINS(sgd.load_state_dict(sgd_state), "'0.momentum_buffer'", "[2]", "[3]");
  sgd_state.insert("0.momentum_buffer", ops::zeros({2}));
  sgd_state.insert("5.momentum_buffer", ops::zeros({2}));
  EXPECT_ERROR_CONTAINS(sgd.load_state_dict(sgd_state), "'5.momentum_buffer'", "parameter 5");
}

TEST(ClipGradNorm, ScalesAllGradientsTogether) {
  Tensor a = param_of({0, 0}), b = param_of({0}), frozen = param_of({1});
  set_grad(a, {3, 4});
  set_grad(b, {12});
  EXPECT_NEAR(clip_grad_norm_({a, b, frozen}, 100), 13.0, 1e-6);
  expect_near(values(a.grad()), {3, 4});  // under the limit: untouched
  EXPECT_NEAR(clip_grad_norm_({a, b, frozen}, 6.5), 13.0, 1e-6);
  expect_near(values(a.grad()), {1.5, 2.0}, 1e-5);
  expect_near(values(b.grad()), {6.0}, 1e-5);
  EXPECT_NEAR(clip_grad_norm_({a, b}, 1e9, INFINITY), 6.0, 1e-5);
  EXPECT_NEAR(clip_grad_norm_({a, b}, 1e9, 1), 9.5, 1e-5);
  EXPECT_EQ(clip_grad_norm_({frozen}, 1.0), 0.0);
}

}  // namespace
}  // namespace camlab::nn
