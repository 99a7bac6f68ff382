#include "datasets/file_bytes.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tensor/error.h"

namespace camlab::datasets {
namespace {

bool ends_with_gz(const std::string& path) {
  return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

// Closes a gzFile when it leaves scope.
struct GzCloser {
  gzFile file;
  ~GzCloser() {
    if (file) gzclose(file);
  }
};

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  CAMLAB_CHECK(std::filesystem::is_regular_file(path), "file {} not found (or not a regular file)",
               path);
  gzFile file = gzopen(path.c_str(), "rb");
  CAMLAB_CHECK(file != nullptr, "file {} cannot be opened: {}", path, std::strerror(errno));
  GzCloser closer{file};
  std::vector<uint8_t> bytes;
  // The first read asks for the file's size (a plain file comes in one read, a 60-byte file
  // costs no 1 MiB buffer); gzip data grows the request geometrically up to 64 MiB per read.
  std::error_code error;
  const uintmax_t on_disk = std::filesystem::file_size(path, error);
  size_t chunk = std::clamp<size_t>(error ? 0 : static_cast<size_t>(on_disk) + 1, 4096, 1u << 20);
  while (true) {
    const size_t old = bytes.size();
    bytes.resize(old + chunk);
    const int got = gzread(file, bytes.data() + old, static_cast<unsigned>(chunk));
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      fail("file {} has corrupt gzip data (zlib: {}); delete it and reinstall or re-download it",
           path, message);
    }
    bytes.resize(old + static_cast<size_t>(got));
    if (got == 0) break;
    chunk = std::min<size_t>(chunk * 2, 1u << 26);
  }
  return bytes;
}

void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  // "T" asks zlib for transparent (uncompressed) writing.
  gzFile file = gzopen(path.c_str(), ends_with_gz(path) ? "wb6" : "wbT");
  CAMLAB_CHECK(file != nullptr, "file {} cannot be created: {}", path, std::strerror(errno));
  GzCloser closer{file};
  size_t done = 0;
  while (done < bytes.size()) {
    const auto chunk = static_cast<unsigned>(std::min<size_t>(bytes.size() - done, 1u << 30));
    const int wrote = gzwrite(file, bytes.data() + done, chunk);
    CAMLAB_CHECK(wrote > 0, "file {}: write failed after {} of {} bytes (disk full?)", path, done,
                 bytes.size());
    done += static_cast<size_t>(wrote);
  }
  closer.file = nullptr;
  CAMLAB_CHECK(gzclose(file) == Z_OK, "file {}: closing failed (disk full?)", path);
}

}  // namespace camlab::datasets
