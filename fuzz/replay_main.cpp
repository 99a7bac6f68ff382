// fuzz_replay: runs every file of fuzz/corpus/<harness>/ through its harness, without libFuzzer,
// so any build (and CTest, and CI's ASan build) keeps the saved crashes fixed.
//
//   build/fuzz/fuzz_replay fuzz/corpus            # all harnesses
//   build/fuzz/fuzz_replay fuzz/corpus png        # one
//
// A corpus input that crashes or throws anything but camlab::Error ends the process: the test
// fails and the last "replay:" line names the file.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/harness.h"

namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of one corpus folder in name order (so a failure reproduces in the same order).
std::vector<fs::path> corpus_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: fuzz_replay CORPUS_ROOT [HARNESS]\n");
    return 2;
  }
  const fs::path root = argv[1];
  const std::string only = argc > 2 ? argv[2] : "";
  int harnesses_run = 0;
  for (const camlab::fuzz::FuzzHarness& harness : camlab::fuzz::fuzz_harnesses()) {
    if (!only.empty() && only != harness.name) continue;
    const fs::path dir = root / harness.name;
    if (!fs::is_directory(dir) || corpus_files(dir).empty()) {
      fmt::print(stderr, "replay: {} has no corpus; every harness needs seed inputs\n",
                 dir.string());
      return 1;
    }
    const std::vector<fs::path> files = corpus_files(dir);
    for (const fs::path& file : files) {
      fmt::print(stderr, "replay: {}\n", file.string());
      const std::vector<uint8_t> bytes = read_bytes(file);
      harness.run(bytes.data(), bytes.size());
    }
    fmt::print("{}: {} inputs replayed\n", harness.name, files.size());
    ++harnesses_run;
  }
  if (harnesses_run == 0) {
    fmt::print(stderr, "replay: no harness named '{}'\n", only);
    return 2;
  }
  return 0;
}
