// The HDF5 dataset schema: round trips, files as h5py writes them, and each malformed case.
#include "datasets/hdf5_dataset.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>
#include <fstream>

#include "datasets/shapes.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;
using test::TempDir;

bool same(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

hid_t native(DType t) {
  switch (t) {
    case DType::UInt8: return H5T_NATIVE_UINT8;
    case DType::Int64: return H5T_NATIVE_INT64;
    default: return H5T_NATIVE_FLOAT;
  }
}

// Writes arrays and a fixed-length `classes` attribute with the bare C API, bypassing validation,
// the way another tool (h5py) might; `stored` overrides the file type (e.g. int32 labels).
void write_raw(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& arrays,
               const std::vector<std::string>& classes, hid_t stored_labels = -1) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  for (const auto& [key, t] : arrays) {
    std::vector<hsize_t> dims(t.shape().begin(), t.shape().end());
    hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    hid_t type = key == "/labels" && stored_labels >= 0 ? stored_labels : native(t.dtype());
    hid_t set = H5Dcreate2(file, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, native(t.dtype()), H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data());
    H5Dclose(set);
    H5Sclose(space);
  }
  if (!classes.empty()) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, 16);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    std::vector<char> raw(classes.size() * 16, '\0');
    for (size_t i = 0; i < classes.size(); ++i) {
      std::memcpy(&raw[i * 16], classes[i].data(), classes[i].size());
    }
    const hsize_t count = classes.size();
    hid_t space = H5Screate_simple(1, &count, nullptr);
    hid_t attr = H5Acreate2(file, "classes", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, raw.data());
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
  }
  H5Fclose(file);
}

TEST(Hdf5Dataset, RoundTripWithBoxesMasksAndClasses) {
  TempDir dir;
  const ImageDataset want = make_shapes({.n = 20, .size = 16, .seed = 3});
  const std::string path = dir.file("shapes.h5");
  write_hdf5_dataset(path, want);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const ImageDataset got = read_hdf5_dataset(path);
  EXPECT_TRUE(same(got.images, want.images));
  EXPECT_TRUE(same(got.labels, want.labels));
  EXPECT_TRUE(same(got.boxes, want.boxes));
  EXPECT_TRUE(same(got.masks, want.masks));
  EXPECT_EQ(got.class_names, want.class_names);
  EXPECT_EQ(got.name, "shapes");
}

TEST(Hdf5Dataset, RoundTripFloatImagesAndMultiHotLabels) {
  TempDir dir;
  ImageDataset want;
  want.images = Tensor::empty({3, 2, 4, 5}, DType::Float32);  // [N, C, H, W]
  for (int64_t i = 0; i < want.images.numel(); ++i) want.images.data<float>()[i] = 0.25f * i - 3;
  want.labels = Tensor::from_vector<uint8_t>({1, 0, 1, 0, 0, 0, 1, 1, 1}, {3, 3});  // [N, K]
  want.class_names = {"red", "green", "blue"};
  const std::string path = dir.file("multi.h5");
  write_hdf5_dataset(path, want);
  const ImageDataset got = read_hdf5_dataset(path);
  EXPECT_TRUE(same(got.images, want.images));
  EXPECT_TRUE(same(got.labels, want.labels));
  EXPECT_TRUE(got.is_multilabel());
  EXPECT_FALSE(got.has_boxes());
  EXPECT_EQ(got.num_classes(), 3);
}

TEST(Hdf5Dataset, ReadsOtherWidthsAndFixedLengthClassNames) {
  TempDir dir;
  const ImageDataset d = make_shapes({.n = 4, .size = 8});
  const std::string path = dir.file("h5py.h5");
  write_raw(path, {{"/images", d.images}, {"/labels", d.labels}}, {"a", "b", "c", "d"},
            H5T_STD_I32LE);
  const ImageDataset got = read_hdf5_dataset(path);
  EXPECT_TRUE(same(got.labels, d.labels));
  EXPECT_EQ(got.class_names, (std::vector<std::string>{"a", "b", "c", "d"}));
}

class Hdf5Malformed : public ::testing::Test {
 protected:
  TempDir dir;
  ImageDataset d = make_shapes({.n = 6, .size = 16, .seed = 1});
  std::string path = dir.file("bad.h5");
};

TEST_F(Hdf5Malformed, LabelsMissing) {
  write_raw(path, {{"/images", d.images}}, d.class_names);
  expect_error([&] { read_hdf5_dataset(path); },
               {"file " + path, "/labels is missing", "/labels int64 [N] or uint8 [N, K]"});
}

TEST_F(Hdf5Malformed, BoxOutsideTheImage) {
  Tensor boxes = d.boxes.clone();
  boxes.data<float>()[4 * 2 + 2] = 17;  // item 2's x1 beyond the 16-pixel width
  write_raw(path, {{"/images", d.images}, {"/labels", d.labels}, {"/boxes", boxes}}, d.class_names);
  expect_error([&] { read_hdf5_dataset(path); },
               {"file " + path, "box [2, 0]", "lies outside the 16x16 image", "x1 <= 16"});
}

TEST_F(Hdf5Malformed, MaskShapeDiffersFromImages) {
  Tensor masks = d.masks.narrow(1, 0, 8).contiguous();  // [6, 8, 16]
  write_raw(path, {{"/images", d.images}, {"/labels", d.labels}, {"/masks", masks}}, d.class_names);
  expect_error([&] { read_hdf5_dataset(path); },
               {"masks have shape [6, 8, 16]", "images [6, 1, 16, 16]", "[6, 16, 16]"});
}

TEST_F(Hdf5Malformed, ClassIndexOutOfRange) {
  Tensor labels = d.labels.clone();
  labels.data<int64_t>()[3] = 7;
  write_raw(path, {{"/images", d.images}, {"/labels", labels}}, d.class_names);
  expect_error([&] { read_hdf5_dataset(path); },
               {"label 7 of item 3 is out of range", "valid class indices are 0..3"});
}

TEST_F(Hdf5Malformed, ItemCountsDiffer) {
  write_raw(path, {{"/images", d.images}, {"/labels", d.labels.narrow(0, 0, 5).contiguous()}},
            d.class_names);
  expect_error([&] { read_hdf5_dataset(path); }, {"5 labels for 6 images"});
  write_raw(path,
            {{"/images", d.images},
             {"/labels", d.labels},
             {"/boxes", d.boxes.narrow(0, 0, 4).contiguous()}},
            d.class_names);
  expect_error([&] { read_hdf5_dataset(path); }, {"boxes [4, 1, 4] have 4 rows", "6 images"});
}

TEST_F(Hdf5Malformed, NotAnHdf5FileAndWriterValidates) {
  std::ofstream(path) << "plain text";
  expect_error([&] { read_hdf5_dataset(path); }, {path, "not a readable HDF5 file"});
  ImageDataset broken = d;
  broken.labels = d.labels.narrow(0, 0, 2).contiguous();
  expect_error([&] { write_hdf5_dataset(dir.file("out.h5"), broken); },
               {"write_hdf5_dataset", "2 labels for 6 images"});
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.h5")));
}

}  // namespace
}  // namespace camlab::datasets
