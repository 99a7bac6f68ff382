// Test helpers for tests/datasets: a temporary folder removed afterwards, and a check that a
// call throws a one-line camlab::Error containing given fragments.
//
//   TempDir dir;                                         // /tmp/camlab-datasets-XXXXXX
//   std::string path = dir.file("x.idx.gz");
//   expect_error([&] { read_idx_images(path); }, {"truncated", path});
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>

#include "tensor/error.h"

namespace camlab::datasets::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "camlab-datasets-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The message of the camlab::Error that fn throws ("" and a test failure when none is thrown).
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const camlab::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a camlab::Error";
  return "";
}

inline void expect_error(const std::function<void()>& fn,
                         std::initializer_list<std::string> fragments) {
  const std::string message = error_of(fn);
  EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
  for (const std::string& f : fragments) {
    EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' missing from: " << message;
  }
}

}  // namespace camlab::datasets::test
