// The lock that keeps two camlab processes out of one run directory: a POSIX record lock on
// <run>/.lock, whose text names the holder for the error the second process prints.
//
//   RunLock lock = RunLock::acquire("runs/fmnist");   // Error when another process holds it:
//   // "runs/fmnist: another camlab process holds this run (pid 4242 on node7 since
//   //  2026-12-04T17:03:11Z) — wait for it to end, or pass --out DIR"
//
// The kernel drops the lock when its process ends, however it ends (SIGKILL too), so a killed
// job never leaves a stale lock behind: the file may stay, but nobody holds it.
#pragma once

#include <filesystem>
#include <memory>

namespace camlab::experiments {

inline constexpr const char* kRunLockFile = ".lock";

class RunLock {
 public:
  // Creates the folder if needed, then takes the lock or throws camlab::Error naming the holder.
  static std::shared_ptr<RunLock> acquire(const std::filesystem::path& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace camlab::experiments
