// The explain.* keys of every method's own options, read into cam::MethodSettings: what
// `camlab explain` and `camlab localize` hand to cam::make_method, so a map drawn by one verb is
// the map the other scores. The flags of `camlab explain` (--smooth-samples, --kpca-kernel, ...)
// arrive as --set overrides of these keys; the schema has checked every value already.
//
//   const Config cfg = load_config("fmnist.toml", {"explain.kpcacam.kernel=\"rbf\""});
//   cam::MethodSettings s = config_method_settings(cfg);   // s.kpcacam.kernel == "rbf"
//   auto kpca = cam::make_method("kpcacam", model, s);
#pragma once

#include "cam/methods/method_settings.h"
#include "experiments/config/config.h"

namespace camlab::experiments {

// Every explain.* method option (not the layer, target or seed, which each verb sets itself).
cam::MethodSettings config_method_settings(const Config& cfg);

}  // namespace camlab::experiments
