// Child processes for `camlab sweep --parallel N`: each training runs as `camlab train ...` in its
// own process, its output appended to a log file, so one crash cannot take the others down.
//
//   ChildProcess child = ChildProcess::spawn("/usr/bin/camlab", {"train", "a.toml"},
//                                            "logs/a.log", {{"OMP_NUM_THREADS", "4"}});
//   ChildExit done = wait_any({child.pid()});  // blocks until one of these children ends
//   if (done.pid == child.pid() && done.status != 0) ...   // 1: runtime error, 2: config error
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace camlab::experiments {

class ChildProcess {
 public:
  // argv[0] is `program`; stdout and stderr go to `log` (appended, created if needed); `env` adds
  // to (or replaces in) this process's environment. Throws camlab::Error when it cannot start.
  static ChildProcess spawn(const std::filesystem::path& program,
                            const std::vector<std::string>& args, const std::filesystem::path& log,
                            const std::map<std::string, std::string>& env = {});
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

struct ChildExit {
  pid_t pid = -1;
  int status = 0;  // the exit status, or 128 + signal for a child killed by a signal
};

// Waits until one of `pids` (children of this process) ends; pid -1 when `pids` is empty. Other
// children (a browser a test started, say) are left alone.
ChildExit wait_any(const std::vector<pid_t>& pids);

// The running executable (/proc/self/exe), to start more of itself.
std::filesystem::path current_executable();

}  // namespace camlab::experiments
