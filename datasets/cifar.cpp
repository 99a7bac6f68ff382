#include "datasets/cifar.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "datasets/file_bytes.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kPixels = 3 * kCifarSide * kCifarSide;  // 3072 per record

// The folder holding the batch files: dir itself or the archive's cifar-10-batches-bin.
fs::path batch_dir(const std::string& dir) {
  const fs::path nested = fs::path(dir) / "cifar-10-batches-bin";
  return fs::is_directory(nested) ? nested : fs::path(dir);
}

// Lines of batches.meta.txt that are not blank; CIFAR-10's names when the file is absent.
std::vector<std::string> read_class_names(const fs::path& dir) {
  const fs::path meta = dir / "batches.meta.txt";
  if (!fs::exists(meta)) return cifar10_classes();
  std::ifstream in(meta);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  CAMLAB_CHECK(names.size() == 10, "file {} names {} classes; expected 10 lines, one per class",
               meta.string(), names.size());
  return names;
}

}  // namespace

const std::vector<std::string>& cifar10_classes() {
  static const std::vector<std::string> names{"airplane", "automobile", "bird",  "cat",  "deer",
                                              "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

ImageDataset read_cifar_batch(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  const auto size = static_cast<int64_t>(bytes.size());
  CAMLAB_CHECK(size % kCifarRecordBytes == 0,
               "file {} is truncated: {} bytes is not a whole number of {}-byte records (1 label "
               "+ {} pixel bytes); the last record has {} bytes",
               path, size, kCifarRecordBytes, kPixels, size % kCifarRecordBytes);
  const int64_t n = size / kCifarRecordBytes;
  ImageDataset d;
  d.name = fs::path(path).stem().string();
  d.images = Tensor::empty({n, 3, kCifarSide, kCifarSide}, DType::UInt8);  // [n, 3, 32, 32]
  d.labels = Tensor::empty({n}, DType::Int64);                             // [n]
  uint8_t* pixels = d.images.data<uint8_t>();
  int64_t* labels = d.labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* record = bytes.data() + i * kCifarRecordBytes;
    CAMLAB_CHECK(record[0] < 10, "file {}: record {} has label {}; CIFAR-10 labels are 0..9", path,
                 i, record[0]);
    labels[i] = record[0];
    std::memcpy(pixels + i * kPixels, record + 1, kPixels);
  }
  d.class_names = cifar10_classes();
  return d;
}

void write_cifar_batch(const std::string& path, const Tensor& images, const Tensor& labels) {
  const Shape want{labels.numel(), 3, kCifarSide, kCifarSide};
  CAMLAB_CHECK(images.dtype() == DType::UInt8 && images.shape() == want &&
                   labels.dtype() == DType::Int64 && labels.dim() == 1,
               "write_cifar_batch {}: got images {} {} and labels {} {}; expected uint8 {} and "
               "int64 [{}]",
               path, dtype_name(images.dtype()), shape_str(images.shape()),
               dtype_name(labels.dtype()), shape_str(labels.shape()), shape_str(want),
               labels.numel());
  Tensor x = images.contiguous(), y = labels.contiguous();
  std::vector<uint8_t> bytes(static_cast<size_t>(y.numel() * kCifarRecordBytes));
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int64_t label = y.data<int64_t>()[i];
    CAMLAB_CHECK(label >= 0 && label < 10, "write_cifar_batch {}: label {} at {}; valid: 0..9",
                 path, label, i);
    bytes[i * kCifarRecordBytes] = static_cast<uint8_t>(label);
    std::memcpy(&bytes[i * kCifarRecordBytes + 1], x.data<uint8_t>() + i * kPixels, kPixels);
  }
  write_file_bytes(path, bytes);
}

ImageDataset load_cifar10(const std::string& dir, const std::string& split) {
  CAMLAB_CHECK(split == "train" || split == "test",
               "cifar10: unknown split '{}'; valid splits are \"train\" and \"test\"", split);
  const fs::path folder = batch_dir(dir);
  std::vector<std::string> files;
  if (split == "train") {
    for (int b = 1; b <= 5; ++b) files.push_back("data_batch_" + std::to_string(b) + ".bin");
  } else {
    files.push_back("test_batch.bin");
  }
  std::vector<ImageDataset> parts;
  int64_t total = 0;
  for (const std::string& file : files) {
    const fs::path path = folder / file;
    CAMLAB_CHECK(fs::exists(path),
                 "cifar10: {} not found; expected the binary version (cifar-10-binary.tar.gz) "
                 "unpacked so that {} holds data_batch_1..5.bin and test_batch.bin",
                 path.string(), dir);
    parts.push_back(read_cifar_batch(path.string()));
    total += parts.back().size();
  }
  ImageDataset d;
  d.name = "cifar10-" + split;
  d.class_names = read_class_names(folder);
  d.images = Tensor::empty({total, 3, kCifarSide, kCifarSide}, DType::UInt8);  // [N, 3, 32, 32]
  d.labels = Tensor::empty({total}, DType::Int64);                             // [N]
  int64_t at = 0;
  for (const ImageDataset& part : parts) {
    std::memcpy(d.images.data<uint8_t>() + at * kPixels, part.images.data<uint8_t>(),
                static_cast<size_t>(part.size() * kPixels));
    std::memcpy(d.labels.data<int64_t>() + at, part.labels.data<int64_t>(),
                static_cast<size_t>(part.size()) * sizeof(int64_t));
    at += part.size();
  }
  return d;
}

}  // namespace camlab::datasets
