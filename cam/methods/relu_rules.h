// Guided backpropagation and deconvnet change only how gradients pass ReLUs. camlab applies the
// rule without editing the model: a forward hook on every ReLU module returns the same values
// from a custom autograd op whose backward applies the rule.
//
//   ReluRuleHooks hooks;
//   for (auto& h : hooks.attach(*model, ReluRule::Guided, "guided-backprop")) keep(h);
//   { ReluRuleHooks::Armed armed(hooks); grad = input_gradient(...); }   // guided gradients
//   Tensor y = rule_relu(x, ReluRule::Deconvnet);    // the op alone
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "nn/hooks.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam {

enum class ReluRule {
  // dX = dY · 1[x > 0] · 1[dY > 0] (Springenberg et al. 2015)
  Guided,
  // dX = dY · 1[dY > 0]: the backward ReLU of Zeiler & Fergus 2014, blind to the forward input
  Deconvnet,
  // Lucid's "redirected" ReLU gradient for feature visualization (Olah et al. 2017): the plain
  // dY · 1[x > 0], except for an image whose plain gradient is zero everywhere (the unit never
  // fires on it, so ascent could not start): there dX = dY · 1[x > 0 or dY > 0], i.e. gradients
  // that would raise a silent pre-activation pass through it.
  Redirected,
};

// max(x, 0) recorded with the rule's backward.
Tensor rule_relu(const Tensor& x, ReluRule rule);

// Hooks on every ReLU layer (an nn::ReLU, or a Relu node of an nn::Graph) that replace its output
// by rule_relu(input) while armed.
class ReluRuleHooks {
 public:
  // The caller owns the handles. An Error if the model has no ReLU module (functional relu calls
  // inside a module's forward cannot be hooked), unless allow_none.
  std::vector<nn::ForwardHookHandle> attach(nn::Module& model, ReluRule rule,
                                            std::string_view method, bool allow_none = false);

  class Armed {
   public:
    explicit Armed(ReluRuleHooks& hooks) : armed_(hooks.armed_) { *armed_ = true; }
    ~Armed() { *armed_ = false; }
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;

   private:
    std::shared_ptr<bool> armed_;
  };

 private:
  std::shared_ptr<bool> armed_ = std::make_shared<bool>(false);
};

}  // namespace camlab::cam
