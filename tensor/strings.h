// Splitting the words of command-line flags and config values, for every module's parsers.
//
//   split("random_crop:2:", ':')   // {"random_crop", "2", ""}: every part, empty ones too
//   split_commas("cam,,gradcam")   // {"cam", "gradcam"}: the non-empty parts of a comma list
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace camlab {

// Every part between separators, empty ones included, so a parser can report "a,,b" as an
// empty item; "" gives {""}.
std::vector<std::string> split(std::string_view text, char separator);

// The non-empty parts of a comma-separated list, as flags such as --methods take them.
std::vector<std::string> split_commas(std::string_view text);

}  // namespace camlab
