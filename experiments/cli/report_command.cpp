// camlab report RUN_DIR|SWEEP_DIR [--out FILE.html]
#include <fmt/format.h>

#include "experiments/cli/command.h"
#include "experiments/report/report.h"

namespace camlab::cli {

int report_main(const std::vector<std::string>& args) {
  po::options_description options("report");
  options.add_options()("dir", po::value<std::string>()->required(),
                        "a run directory or a sweep folder")(
      "out", po::value<std::string>()->default_value(""),
      "the HTML file to write (default DIR/report.html)");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("report"), options, positional, vm)) return 0;
  const std::filesystem::path page =
      experiments::write_report(vm["dir"].as<std::string>(), vm["out"].as<std::string>());
  fmt::print("wrote {} ({} KiB, self-contained)\n", page.string(),
             (std::filesystem::file_size(page) + 1023) / 1024);
  return 0;
}

}  // namespace camlab::cli
