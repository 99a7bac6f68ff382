#include "experiments/run/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace camlab::experiments {
namespace {

[[noreturn]] void fail_io(std::string_view what, const std::filesystem::path& path, int error) {
  fail("{} {}: {} — check that the folder exists and is writable", what, path.string(),
       std::strerror(error));
}

void write_all(int fd, std::string_view text, const std::filesystem::path& tmp) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_io("write", tmp, error);
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
}

}  // namespace

void write_text_atomic(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_io("create", tmp, errno);
  write_all(fd, text, tmp);
  // fsync before rename: otherwise a power cut can leave the new name with no data behind it.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    fail_io("flush", tmp, error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    fail_io("rename onto", path, error);
  }
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  CAMLAB_CHECK(file.good(), "read {}: {}", path.string(), std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace camlab::experiments
