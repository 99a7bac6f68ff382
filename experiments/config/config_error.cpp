#include "experiments/config/config_error.h"

namespace camlab::experiments {

void config_fail(std::string_view where, std::string_view message) {
  if (where.empty()) throw ConfigError(std::string(message));
  throw ConfigError(std::string(where) + ": " + std::string(message));
}

}  // namespace camlab::experiments
