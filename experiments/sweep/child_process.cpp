#include "experiments/sweep/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tensor/error.h"

extern char** environ;

namespace camlab::experiments {
namespace {

// This process's environment with `extra` set on top, as "KEY=value" strings.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    if (extra.count(text.substr(0, text.find('='))) == 0) out.push_back(text);
  }
  for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess ChildProcess::spawn(const std::filesystem::path& program,
                                 const std::vector<std::string>& args,
                                 const std::filesystem::path& log,
                                 const std::map<std::string, std::string>& env) {
  if (log.has_parent_path()) std::filesystem::create_directories(log.parent_path());
  std::vector<std::string> argv_strings = {program.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = child_environment(env);
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  CAMLAB_CHECK(error == 0, "sweep: cannot start '{}': {}", program.string(), std::strerror(error));
  return ChildProcess(pid);
}

ChildExit wait_any(const std::vector<pid_t>& pids) {
  if (pids.empty()) return {};
  while (true) {
    for (const pid_t pid : pids) {
      int status = 0;
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) {
        if (WIFEXITED(status)) return {pid, WEXITSTATUS(status)};
        return {pid, 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0)};
      }
      CAMLAB_CHECK(done == 0 || errno == EINTR, "sweep: waiting for child {} failed: {}", pid,
                   std::strerror(errno));
    }
    ::usleep(50 * 1000);  // trainings last seconds to hours: polling at 20 Hz costs nothing
  }
}

std::filesystem::path current_executable() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  CAMLAB_CHECK(!error, "sweep: cannot find the running executable (/proc/self/exe): {}",
               error.message());
  return self;
}

}  // namespace camlab::experiments
