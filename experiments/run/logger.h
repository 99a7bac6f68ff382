// A run's log: every line goes to log.txt with a timestamp and to the console (stderr) without.
//
//   Logger log(run.file("log.txt"), /*append=*/run.resumed());
//   log.info("epoch {}/{} train loss {:.4f} test acc {:.2f}%", 3, 10, 0.412, 91.3);
//   log.warn("no GPU found; running on the CPU");   // "warning: ..." in both places
//   // log.txt: "2025-01-31 14:02:07 epoch 3/10 train loss 0.4120 test acc 91.30%"
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>

namespace camlab::experiments {

class Logger {
 public:
  // `console` may be nullptr (file only). Lines are flushed as written: log.txt is useful after
  // a crash.
  explicit Logger(const std::filesystem::path& file, bool append = false,
                  std::FILE* console = stderr);

  template <typename... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) {
    write("", fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) {
    write("warning: ", fmt::format(format, std::forward<Args>(args)...));
  }
  // Safe from several threads; a line is never interleaved with another.
  void write(std::string_view prefix, std::string_view message);

 private:
  std::mutex mutex_;
  std::ofstream file_;
  std::FILE* console_;
};

// Local time as "2025-01-31 14:02:07", the stamp of log.txt lines.
std::string local_timestamp();

}  // namespace camlab::experiments
