#include "experiments/run/logger.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "tensor/error.h"

namespace camlab::experiments {

std::string local_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

Logger::Logger(const std::filesystem::path& file, bool append, std::FILE* console)
    : file_(file, append ? std::ios::app : std::ios::trunc), console_(console) {
  CAMLAB_CHECK(file_.good(), "open {}: {}", file.string(), std::strerror(errno));
}

void Logger::write(std::string_view prefix, std::string_view message) {
  const std::string stamp = local_timestamp();
  const std::lock_guard lock(mutex_);
  file_ << stamp << ' ' << prefix << message << '\n';
  file_.flush();
  if (console_ != nullptr) {
    fmt::print(console_, "{}{}\n", prefix, message);
    std::fflush(console_);
  }
}

}  // namespace camlab::experiments
