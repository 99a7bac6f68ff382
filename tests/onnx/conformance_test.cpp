// ONNX conformance: every backend test Debian's libonnx-testdata ships (node/, pytorch-converted/,
// pytorch-operator/, simple/) whose inputs and outputs are float32 and whose ops camlab supports
// runs through import_onnx + nn::Graph and must match the expected outputs (ONNX's backend-test
// tolerance, rtol 1e-3, atol 1e-5 here). What is skipped is counted by reason and written to
// <build>/onnx_conformance.txt; docs/onnx.md quotes the counts.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

#include "autograd/grad_mode.h"
#include "nn/graph/graph.h"
#include "nn/onnx/onnx_import.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

namespace fs = std::filesystem;

const fs::path kTestData = CAMLAB_ONNX_TESTDATA_DIR;

enum class Outcome { Passed, Skipped, Failed };

struct Result {
  Outcome outcome;
  std::string reason;  // skip reason (grouped) or failure detail
};

std::vector<fs::path> sorted_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The run of characters of `message` from `at` on that `keep` accepts.
std::string run_from(const std::string& message, size_t at, bool (*keep)(char)) {
  size_t end = at;
  while (end < message.size() && keep(message[end])) ++end;
  return message.substr(at, end - at);
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_upper_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// "unsupported op Erf" from an unsupported-op message, "non-float32 data (DOUBLE)" from a
// data-type one; otherwise the message without the file and with quoted names elided.
std::string skip_reason(const std::string& message) {
  if (const size_t at = message.find("op type '"); at != std::string::npos) {
    return "unsupported op " + run_from(message, at + 9, is_name_char);
  }
  if (size_t at = message.find("data type "); at != std::string::npos) {
    at += 10;
    if (const size_t paren = message.find(" (", at);
        paren != std::string::npos &&
        run_from(message, at, [](char c) { return c >= '0' && c <= '9'; }).size() == paren - at) {
      at = paren + 2;  // "data type 11 (DOUBLE" -> "DOUBLE"
    }
    return "non-float32 data (" + run_from(message, at, is_upper_name_char) + ")";
  }
  const size_t colon = message.rfind(": ");
  const std::string tail = colon == std::string::npos ? message : message.substr(colon + 2);
  std::string out;
  for (size_t i = 0; i < tail.size(); ++i) {
    const size_t close = tail[i] == '\'' ? tail.find('\'', i + 1) : std::string::npos;
    if (close == std::string::npos) {
      out += tail[i];
      continue;
    }
    out += "'…'";
    i = close;
  }
  return out;
}

// Max |got − want| − (atol + rtol·|want|) over the elements; ≤ 0 passes.
std::string compare(const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype()) {
    return fmt::format("dtype {} != expected {}", dtype_name(got.dtype()),
                       dtype_name(want.dtype()));
  }
  if (got.shape() != want.shape()) {
    return fmt::format("shape {} != expected {}", shape_str(got.shape()), shape_str(want.shape()));
  }
  const std::vector<double> g = test::values(got), w = test::values(want);
  for (size_t i = 0; i < g.size(); ++i) {
    const bool both_nan = std::isnan(g[i]) && std::isnan(w[i]);
    if (!both_nan && !(std::abs(g[i] - w[i]) <= 1e-5 + 1e-3 * std::abs(w[i]))) {
      return fmt::format("element {}: {} != expected {}", i, g[i], w[i]);
    }
  }
  return "";
}

Result run_case(const fs::path& dir) {
  nn::GraphDef def;
  try {
    def = nn::import_onnx(dir / "model.onnx");
  } catch (const nn::Unsupported& e) {
    return {Outcome::Skipped, skip_reason(e.what())};
  } catch (const Error& e) {
    return {Outcome::Failed, e.what()};
  }
  std::vector<fs::path> sets = sorted_files(dir, "test_data_set_");
  if (sets.empty()) return {Outcome::Skipped, "no test data sets"};
  try {
    nn::Graph graph(def);
    graph.eval();
    autograd::NoGradGuard no_grad;
    for (const fs::path& set : sets) {
      std::vector<Tensor> inputs, expected;
      for (const fs::path& f : sorted_files(set, "input_"))
        inputs.push_back(nn::read_onnx_tensor(f));
      for (const fs::path& f : sorted_files(set, "output_"))
        expected.push_back(nn::read_onnx_tensor(f));
      for (const Tensor& t : expected) {
        if (t.dtype() != DType::Float32 && t.dtype() != DType::Int64) {
          return {Outcome::Skipped, "non-float32 data (output)"};
        }
      }
      if (inputs.size() != def.inputs.size()) {
        return {Outcome::Skipped, "optional graph inputs left out of the data set"};
      }
      std::vector<Tensor> outputs = graph.run(inputs);
      for (size_t i = 0; i < expected.size(); ++i) {
        if (i >= outputs.size() || !outputs[i].defined()) {
          return {Outcome::Skipped, "an optional output camlab does not produce"};
        }
        std::string diff = compare(outputs[i], expected[i]);
        if (!diff.empty())
          return {Outcome::Failed,
                  fmt::format("{} output {}: {}", set.filename().string(), i, diff)};
      }
    }
  } catch (const nn::Unsupported& e) {
    return {Outcome::Skipped, skip_reason(e.what())};
  } catch (const std::exception& e) {
    return {Outcome::Failed, e.what()};
  }
  return {Outcome::Passed, ""};
}

TEST(OnnxConformance, EverySupportedFloatBackendTestPasses) {
  if (!fs::is_directory(kTestData))
    GTEST_SKIP() << kTestData << " is absent (apt install libonnx-testdata)";
  std::map<std::string, int> skipped_by_reason;
  std::vector<std::string> lines, failures;
  int passed = 0, skipped = 0;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    if (!fs::is_directory(kTestData / suite)) continue;
    for (const fs::path& dir : sorted_files(kTestData / suite, "test_")) {
      const Result r = run_case(dir);
      const std::string name = std::string(suite) + "/" + dir.filename().string();
      if (r.outcome == Outcome::Passed) {
        ++passed;
        lines.push_back("pass " + name);
      } else if (r.outcome == Outcome::Skipped) {
        ++skipped;
        ++skipped_by_reason[r.reason];
        lines.push_back("skip " + name + ": " + r.reason);
      } else {
        failures.push_back(name + ": " + r.reason);
        lines.push_back("FAIL " + name + ": " + r.reason);
      }
    }
  }
  std::ofstream report(fs::path(CAMLAB_BINARY_DIR) / "onnx_conformance.txt");
  report << fmt::format("passed {}, skipped {}, failed {}\n", passed, skipped, failures.size());
  std::vector<std::pair<int, std::string>> reasons;
  for (const auto& [reason, count] : skipped_by_reason) reasons.emplace_back(count, reason);
  std::sort(reasons.rbegin(), reasons.rend());
  for (const auto& [count, reason] : reasons) report << fmt::format("  {:4}  {}\n", count, reason);
  for (const std::string& line : lines) report << line << "\n";
  fmt::print("ONNX conformance: {} passed, {} skipped, {} failed (details: onnx_conformance.txt)\n",
             passed, skipped, failures.size());
  EXPECT_GT(passed, 0);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures[0];
  for (size_t i = 0; i < failures.size() && i < 40; ++i) ADD_FAILURE() << failures[i];
}

}  // namespace
}  // namespace camlab
