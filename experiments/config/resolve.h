// Fills in every default a validated config left out, so the resolved table names every key.
//
//   Validator(origins, where).check_root(root);
//   resolve_defaults(root);   // root["train"]["optimizer"]["momentum"] now exists (0.0)
//   // integers in float keys become floats; pool stride 0 becomes the kernel;
//   // nested [sweep] tables become quoted dotted keys ("train.optimizer.lr").
#pragma once

#include <toml++/toml.h>

#include <string_view>

namespace camlab::experiments {

void resolve_defaults(toml::table& root);

// The default of a schema or layer key as a one-value table {v = default}; empty text: {}.
toml::table parse_default(std::string_view default_toml);

}  // namespace camlab::experiments
