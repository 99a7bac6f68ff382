// `camlab report`: one self-contained HTML page for a run directory or a sweep folder. Images are
// inlined as data: URIs and plots drawn as inline SVG, so the file can be mailed or archived and
// opens without a network.
//
//   fs::path page = write_report("runs/fmnist-gapnet");          // runs/fmnist-gapnet/report.html
//   write_report("runs/ablation-width-depth-sweep", "ablation.html");
//   // sections by id: #config #metrics #curves #gallery #localization, and #sweep for a sweep
#pragma once

#include <filesystem>
#include <string>

namespace camlab::experiments {

std::string run_report_html(const std::filesystem::path& run);
std::string sweep_report_html(const std::filesystem::path& sweep);

// Picks the page by what `dir` holds (sweep.json: a sweep; run_info.json or metrics: a run) and
// writes it atomically to `out` (default <dir>/report.html). Returns the path written.
std::filesystem::path write_report(const std::filesystem::path& dir,
                                   const std::filesystem::path& out = {});

}  // namespace camlab::experiments
