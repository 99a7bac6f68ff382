#include "nn/h5_probe.h"

#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "nn/h5_bounds.h"
#include "nn/h5_handle.h"
#include "tensor/error.h"

namespace camlab::nn::h5 {
namespace {

// The child's exit status when libhdf5 reported an error: the file is bad, but in a way the
// parent's reader meets as an ordinary HDF5 error and words itself.
constexpr int kChildSawAnError = 97;

// Reads every element of an attribute or a dataset through its native memory type, then frees
// what variable-length elements allocated. Values above kProbeBytes are left unread.
template <typename Read>
void read_values(hid_t file_type, hid_t space, Read read) {
  const Handle memory(H5Tget_native_type(file_type, H5T_DIR_ASCEND), H5Tclose);
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  const size_t element = memory.ok() ? H5Tget_size(memory.get()) : 0;
  if (points <= 0 || element == 0 || static_cast<uint64_t>(points) > kProbeBytes / element) return;
  std::vector<unsigned char> buffer(static_cast<size_t>(points) * element);
  if (read(memory.get(), buffer.data()) < 0) return;
  // Only variable-length elements own memory; reclaiming visits every element, which for 82 MB of
  // bytes cost three times the read itself.
  const bool owns_memory = H5Tdetect_class(memory.get(), H5T_VLEN) > 0 ||
                           H5Tis_variable_str(memory.get()) > 0 ||
                           H5Tget_class(memory.get()) == H5T_COMPOUND;
  if (!owns_memory) return;
  reclaim_variable_length(memory.get(), space, buffer.data());
}

herr_t read_attribute(hid_t object, const char* name, const H5A_info_t*, void*) {
  const Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  if (!attribute.ok()) return 0;  // the parent's reader reports what it needs
  const Handle type(H5Aget_type(attribute.get()), H5Tclose);
  const Handle space(H5Aget_space(attribute.get()), H5Sclose);
  if (!type.ok() || !space.ok()) return 0;
  read_values(type.get(), space.get(),
              [&](hid_t memory, void* buffer) { return H5Aread(attribute.get(), memory, buffer); });
  return 0;
}

void read_dataset(hid_t dataset) {
  check_stored_within_file(dataset, "probe");  // the read libhdf5 does not bound (h5_bounds.h)
  const Handle type(H5Dget_type(dataset), H5Tclose);
  const Handle space(H5Dget_space(dataset), H5Sclose);
  if (!type.ok() || !space.ok()) return;
  read_values(type.get(), space.get(), [&](hid_t memory, void* buffer) {
    return H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
  });
}

// Every object reachable from the root: its attributes, and a dataset's values.
void read_object(hid_t object) {
  hsize_t index = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, &index, read_attribute, nullptr);
  if (H5Iget_type(object) == H5I_DATASET) read_dataset(object);
}

#if H5_VERSION_GE(1, 12, 0)
using LinkInfo = H5L_info2_t;
#else
using LinkInfo = H5L_info_t;
#endif

herr_t visit_link(hid_t root, const char* name, const LinkInfo* info, void*) {
  if (info->type != H5L_TYPE_HARD) return 0;  // soft and external links are not followed
  const Handle object(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
  if (object.ok()) read_object(object.get());
  return 0;
}

[[noreturn]] void probe_and_exit(const std::filesystem::path& path) {
  try {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // the parent words the errors
    const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) _exit(kChildSawAnError);
    read_object(file.get());
    if (H5Lvisit(file.get(), H5_INDEX_NAME, H5_ITER_NATIVE, visit_link, nullptr) < 0) {
      _exit(kChildSawAnError);
    }
  } catch (...) {
    _exit(kChildSawAnError);  // an Error of the bounds check: the parent's reader makes it again
  }
  _exit(0);  // no atexit handlers, no flushing of the parent's buffers
}

// Seconds the child may take: reading a good file goes at hundreds of MB/s, so 10 s plus 1 s per
// 20 MB is far above it, and far below a user's patience. CAMLAB_HDF5_PROBE_SECONDS overrides it
// (a slow network disk; the tests' hang case).
std::chrono::milliseconds time_limit(const std::filesystem::path& path) {
  if (const char* seconds = std::getenv("CAMLAB_HDF5_PROBE_SECONDS")) {
    const double value = std::atof(seconds);
    if (value > 0) return std::chrono::milliseconds(static_cast<int64_t>(value * 1000));
  }
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  return std::chrono::milliseconds(10'000 + (error ? 0 : static_cast<int64_t>(bytes / 20'000)));
}

std::string library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

// A file probed already in this process, unchanged since (its size and modification time), needs
// no second child: a run reads one checkpoint several times (its format, then its graph). Only a
// passed probe is remembered, so a bad file fails every time it is read.
class ProbedFiles {
 public:
  using Key = std::tuple<std::string, uintmax_t, int64_t>;
  static ProbedFiles& instance() {
    static ProbedFiles files;
    return files;
  }
  static std::optional<Key> key_of(const std::filesystem::path& path) {
    std::error_code error;
    const std::string name = std::filesystem::weakly_canonical(path, error).string();
    if (error) return std::nullopt;
    const uintmax_t bytes = std::filesystem::file_size(path, error);
    if (error) return std::nullopt;
    const auto written = std::filesystem::last_write_time(path, error).time_since_epoch().count();
    if (error) return std::nullopt;
    return Key{name, bytes, static_cast<int64_t>(written)};
  }
  bool contains(const Key& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return passed_.count(key) > 0;
  }
  void add(const Key& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    passed_.insert(key);
  }

 private:
  std::mutex mutex_;
  std::set<Key> passed_;
};

// Waits for the child within `limit`; true when it ended, with its status.
bool wait_for(pid_t child, std::chrono::milliseconds limit, int& status) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::microseconds(200);
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) return true;
    if (done < 0 && errno != EINTR) return true;  // not ours to wait for any more
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20'000));
  }
  return false;
}

}  // namespace

void probe_in_child(const std::string& what, const std::filesystem::path& path) {
  const char* setting = std::getenv("CAMLAB_HDF5_PROBE");
  if (setting != nullptr && std::strcmp(setting, "0") == 0) return;
  const std::optional<ProbedFiles::Key> key = ProbedFiles::key_of(path);
  if (key && ProbedFiles::instance().contains(*key)) return;
  const pid_t child = fork();
  if (child < 0) return;  // no process to spare: read it directly, as without the probe
  if (child == 0) probe_and_exit(path);
  const std::chrono::milliseconds limit = time_limit(path);
  int status = 0;
  if (!wait_for(child, limit, status)) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    fail(
        "{}: libhdf5 {} did not finish reading the file's structure in {:.1f} s: the file is "
        "corrupt (a known libhdf5 loop on damaged heaps; docs/reliability.md), or the disk is "
        "slow (CAMLAB_HDF5_PROBE_SECONDS sets the limit)",
        what, library_version(), static_cast<double>(limit.count()) / 1000.0);
  }
  CAMLAB_CHECK(!WIFSIGNALED(status),
               "{}: libhdf5 {} crashed (signal {}) reading the file's structure: the file is "
               "corrupt, and camlab read nothing from it",
               what, library_version(), WTERMSIG(status));
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  CAMLAB_CHECK(code == 0 || code == kChildSawAnError,
               "{}: reading the file's structure failed in a child process (exit {}): the file "
               "is corrupt, and camlab read nothing from it",
               what, code);
  if (key) ProbedFiles::instance().add(*key);
}

}  // namespace camlab::nn::h5
