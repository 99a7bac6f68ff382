#include "experiments/run/run_info.h"

#include <cblas.h>
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#ifndef CAMLAB_VERSION
#define CAMLAB_VERSION "unknown"
#endif
#ifndef CAMLAB_GIT_DESCRIBE
#define CAMLAB_GIT_DESCRIBE "unknown"
#endif

namespace camlab::experiments {
namespace {

std::string compiler_text() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

}  // namespace

std::string iso_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S%z", &local);
  return text;
}

nlohmann::json collect_run_info(std::string_view device, const std::vector<std::string>& command) {
  nlohmann::json info;
  info["camlab_version"] = CAMLAB_VERSION;
  info["git"] = CAMLAB_GIT_DESCRIBE;
  info["compiler"] = compiler_text();
  // OpenBLAS names its build: version, threading model, the kernel chosen for this CPU.
  info["blas"] = std::string(openblas_get_config());
#ifdef CAMLAB_WITH_CUDA
  info["cuda_backend"] = true;
#else
  info["cuda_backend"] = false;
#endif
  info["device"] = std::string(device);
  info["threads"] = omp_get_max_threads();
  info["host"] = host_name();
  info["start_time"] = iso_timestamp();
  info["command"] = command;
  return info;
}

}  // namespace camlab::experiments
