// The `camlab` CLI: one binary, one verb per file. A verb parses its own flags with
// boost::program_options and returns the process exit status.
//
//   camlab train experiments/configs/fmnist-gapnet.toml --set train.epochs=2 --out runs/quick
//   camlab eval runs/quick
//   camlab VERB --help                       // usage with examples
//
// Exit status: 0 success, 2 usage or configuration errors, 1 runtime errors; an error is one
// line on stderr.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace camlab::cli {

namespace po = boost::program_options;

struct Command {
  std::string name;
  std::string summary;   // one line for `camlab --help`
  std::string examples;  // shown by `camlab VERB --help`
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();

// Parses args against `options` (plus --help) and `positional`; returns false after printing
// help. Unknown flags throw po::error (exit status 2).
bool parse_args(const std::vector<std::string>& args, const Command& command,
                const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm);

const Command& find_command(const std::string& name);

// Verbs (one file each).
int train_main(const std::vector<std::string>& args);
int eval_main(const std::vector<std::string>& args);
int explain_main(const std::vector<std::string>& args);
int sweep_main(const std::vector<std::string>& args);
int report_main(const std::vector<std::string>& args);
int visualize_main(const std::vector<std::string>& args);
int activations_main(const std::vector<std::string>& args);
int make_dataset_main(const std::vector<std::string>& args);
int localize_main(const std::vector<std::string>& args);
int segment_main(const std::vector<std::string>& args);
int bench_main(const std::vector<std::string>& args);
int import_main(const std::vector<std::string>& args);
int sanity_main(const std::vector<std::string>& args);

}  // namespace camlab::cli
