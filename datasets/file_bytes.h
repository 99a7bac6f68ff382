// Whole-file reads and writes, gzip or plain, through zlib (gzopen reads plain files unchanged).
//
//   std::vector<uint8_t> bytes = read_file_bytes("t10k-images-idx3-ubyte.gz");  // decompressed
//   write_file_bytes("out.idx.gz", bytes);   // gzip because the name ends in .gz
//
// Errors are one line naming the file: missing, unreadable, or corrupt gzip data. A gzip stream
// that simply stops early is returned as far as it goes, so the caller can say how much is missing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::datasets {

std::vector<uint8_t> read_file_bytes(const std::string& path);

// Gzip-compressed when `path` ends in ".gz", else plain bytes.
void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace camlab::datasets
