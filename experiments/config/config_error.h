// ConfigError: a camlab::Error about the experiment's configuration (file, key or --set),
// which the CLI reports with exit status 2 rather than 1.
//
//   throw ConfigError("fmnist.toml:12:1: unknown key 'train.optimiser' — did you mean ...?");
//   try { load_config(path); } catch (const ConfigError& e) { ...; return 2; }
//   config_fail("fmnist.toml:8:14", "'data.batch_size' must be an integer ≥ 1, got \"64\"");
#pragma once

#include <string>
#include <string_view>

#include "tensor/error.h"

namespace camlab::experiments {

class ConfigError : public Error {
 public:
  using Error::Error;
};

// Throws ConfigError("<where>: <message>"), or just the message when `where` is empty.
[[noreturn]] void config_fail(std::string_view where, std::string_view message);

}  // namespace camlab::experiments
