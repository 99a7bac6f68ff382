#include "experiments/run/atomic_write.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace camlab::experiments {

void write_text_atomic(const std::filesystem::path& path, std::string_view text) {
  write_file_atomic(path, text);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  CAMLAB_CHECK(file.good(), "read {}: {}", path.string(), std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace camlab::experiments
