// Replace a file in one step: write "<path>.tmp", flush it to disk, rename it over <path>.
// A crash leaves either the old file or the new one, never half of one (tensor/atomic_file.h).
//
//   write_text_atomic(run.file("metrics.json"), json.dump(2));
//   std::string text = read_text(run.file("config.toml"));
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace camlab::experiments {

// Throws camlab::Error naming the file and the system's reason; <path> is untouched on failure.
void write_text_atomic(const std::filesystem::path& path, std::string_view text);
std::string read_text(const std::filesystem::path& path);

}  // namespace camlab::experiments
