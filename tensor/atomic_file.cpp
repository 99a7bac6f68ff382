#include "tensor/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tensor/error.h"

namespace camlab {
namespace {

[[noreturn]] void fail_io(std::string_view what, const std::filesystem::path& path, int error) {
  const bool full = error == ENOSPC || error == EFBIG || error == EDQUOT;
  fail("{} {}: {} — {}", what, path.string(), std::strerror(error),
       full ? "free disk space or raise the size limit (quota, ulimit -f)"
            : "check that the folder exists and is writable");
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

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_io("create", tmp, errno);
  write_all(fd, bytes, tmp);
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

}  // namespace camlab
