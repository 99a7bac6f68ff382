// Replace a file in one step: write "<path>.tmp", fsync it, rename it over <path>. A crash, a
// SIGKILL or a full disk leaves either the old file or the new one, never half of one. The one
// writer below checkpoints (nn/checkpoint.cpp) and run files (experiments/run/atomic_write.h).
//
//   write_file_atomic("runs/x/metrics.json", json.dump(2));
//   write_file_atomic("runs/x/checkpoint.h5", std::string_view(image.data(), image.size()));
#pragma once

#include <filesystem>
#include <string_view>

namespace camlab {

// Throws camlab::Error naming the file and the system's reason ("File too large", "No space left
// on device", "Permission denied"); <path> is untouched and no .tmp is left behind on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace camlab
