#include "experiments/config/comma_list.h"

#include "tensor/strings.h"

namespace camlab::experiments {

std::vector<std::string> comma_list(const std::string& text) { return split_commas(text); }

}  // namespace camlab::experiments
