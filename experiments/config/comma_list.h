// Comma-separated flag values, as the CLI verbs take them.
//
//   comma_list("gradcam,scorecam");   // {"gradcam", "scorecam"}
//   comma_list("a,,b,");              // {"a", "b"}: empty items are skipped
//   comma_list("");                   // {}
#pragma once

#include <string>
#include <vector>

namespace camlab::experiments {

std::vector<std::string> comma_list(const std::string& text);

}  // namespace camlab::experiments
