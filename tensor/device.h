// Where a tensor's bytes live.
//
//   Device d = Device::cpu();
//   Device g = Device::cuda(0);
//   fmt::print("{}\n", g.str());   // "cuda:0"
//   Device p = Device::parse("cuda");
#pragma once

#include <string>
#include <string_view>

namespace camlab {

enum class DeviceType : uint8_t { CPU, CUDA, COUNT };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;

  static Device cpu() { return {DeviceType::CPU, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::CUDA, index}; }
  // "cpu", "cuda", "cuda:1"; anything else is an Error listing those forms.
  static Device parse(std::string_view text);

  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  std::string str() const;
  bool operator==(const Device&) const = default;
};

}  // namespace camlab
