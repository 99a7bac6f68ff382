#include "experiments/run/run_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "experiments/run/run_info.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace {

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof(name) - 1) == 0 ? name : "unknown host";
}

// Whole-file write lock, not waiting. POSIX record locks (not flock) so that one process may open
// the same run twice (the tests do); a second process is refused.
bool try_lock(int fd) {
  struct flock region = {};
  region.l_type = F_WRLCK;
  region.l_whence = SEEK_SET;
  return fcntl(fd, F_SETLK, &region) == 0;
}

std::string read_holder(int fd) {
  char text[512] = {};
  const ssize_t got = pread(fd, text, sizeof(text) - 1, 0);
  std::string holder(text, got > 0 ? static_cast<size_t>(got) : 0);
  while (!holder.empty() && holder.back() == '\n') holder.pop_back();
  return holder.empty() ? "holder unknown" : holder;
}

}  // namespace

std::shared_ptr<RunLock> RunLock::acquire(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  CAMLAB_CHECK(!error, "{}: cannot create the run directory: {} — check the path and permissions",
               dir.string(), error.message());
  const std::filesystem::path path = dir / kRunLockFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  CAMLAB_CHECK(fd >= 0, "{}: cannot open its lock file {}: {} — is the folder writable?",
               dir.string(), path.string(), std::strerror(errno));
  if (!try_lock(fd)) {
    const std::string holder = read_holder(fd);
    ::close(fd);
    fail("{}: another camlab process holds this run ({}) — wait for it to end, or pass --out DIR",
         dir.string(), holder);
  }
  const std::string holder =
      "pid " + std::to_string(getpid()) + " on " + host_name() + " since " + iso_timestamp();
  // Best effort: the lock itself is what excludes; the text only names the holder.
  if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, holder.data(), holder.size(), 0) < 0) {
    (void)holder;
  }
  return std::shared_ptr<RunLock>(new RunLock(fd));
}

RunLock::~RunLock() { ::close(fd_); }

}  // namespace camlab::experiments
