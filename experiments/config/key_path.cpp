#include "experiments/config/key_path.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace camlab::experiments {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(c) != 0; });
}

// The index the digits spell; nullopt when it does not fit int64 (a fuzzed key of 40 digits once
// reached std::stoll, whose out_of_range ended the process).
std::optional<int64_t> index_of(std::string_view digits) {
  int64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// "layers[2][0]" -> "layers", 2, 0.  Returns false on malformed brackets or an index too large.
bool split_component(std::string_view text, std::vector<PathPart>& parts) {
  const size_t bracket = text.find('[');
  const std::string_view key = text.substr(0, bracket);
  if (all_digits(key)) {
    const std::optional<int64_t> index = index_of(key);
    if (!index) return false;
    parts.push_back({.index = *index});
  } else if (!key.empty()) {
    parts.push_back({.key = std::string(key)});
  } else if (bracket != 0) {
    return false;
  }
  size_t at = bracket;
  while (at != std::string_view::npos && at < text.size()) {
    const size_t close = text.find(']', at);
    if (text[at] != '[' || close == std::string_view::npos) return false;
    const std::string_view digits = text.substr(at + 1, close - at - 1);
    const std::optional<int64_t> index = all_digits(digits) ? index_of(digits) : std::nullopt;
    if (!index) return false;
    parts.push_back({.index = *index});
    at = close + 1;
  }
  return true;
}

}  // namespace

std::vector<PathPart> split_path(std::string_view text) {
  std::vector<PathPart> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    const std::string_view component = text.substr(start, dot - start);
    if (component.empty() || !split_component(component, parts)) return {};
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

std::string path_text(const std::vector<PathPart>& parts) {
  std::string out;
  for (const PathPart& part : parts) {
    out = part.is_index() ? item_path(out, static_cast<size_t>(part.index))
                          : child_path(out, part.key);
  }
  return out;
}

std::string child_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string item_path(std::string_view array, size_t index) {
  return fmt::format("{}[{}]", array, index);
}

std::string parent_path(std::string_view path) {
  const size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? "" : std::string(path.substr(0, dot));
}

std::string leaf_key(std::string_view path) {
  const size_t dot = path.rfind('.');
  return std::string(dot == std::string_view::npos ? path : path.substr(dot + 1));
}

}  // namespace camlab::experiments
