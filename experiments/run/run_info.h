// run_info.json: what produced a run — camlab version, compiler, BLAS, device, threads, host,
// start time and the command line — so a number in a paper can be traced to its setup.
//
//   nlohmann::json info = collect_run_info("cuda:0", {argv, argv + argc});
//   run.record_info(info);    // merged into runs/<name>/run_info.json
//   // {"camlab_version": "0.1.0", "git": "v0.1-3-gabc123", "compiler": "gcc 12.2.0", ...}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace camlab::experiments {

nlohmann::json collect_run_info(std::string_view device,
                                const std::vector<std::string>& command = {});

// Local time in ISO 8601 with its UTC offset: "2025-01-31T14:02:07+0100".
std::string iso_timestamp();

}  // namespace camlab::experiments
