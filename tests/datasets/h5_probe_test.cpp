// The HDF5 probe (nn/h5_probe.h): a file that crashes or hangs libhdf5 1.10.8 ends in a one-line
// Error instead of a signal or a hang; a good file passes and is read as before. The hostile
// inputs are fuzz findings (fuzz/corpus/, fuzz/library-findings/): without the probe the first two
// kill a plain build with SIGSEGV inside libhdf5.
#include "nn/h5_probe.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "datasets/hdf5_dataset.h"
#include "nn/checkpoint.h"
#include "nn/linear.h"
#include "tensor/error.h"

namespace camlab::nn {
namespace {

namespace fs = std::filesystem;

const fs::path kHostile = fs::path(CAMLAB_SOURCE_DIR) / "tests" / "fixtures" / "hostile_hdf5";

// The message of the Error `read` throws; fails the test when it throws none.
template <typename Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// The probe's verdict on a file it rejects: a crash (signal) in a plain build; under ASan the
// child reports the bad access and exits 1 instead.
bool rejected_by_probe(const std::string& message) {
  return message.find("crashed (signal") != std::string::npos ||
         message.find("failed in a child process") != std::string::npos;
}

TEST(H5Probe, CrashingDatasetFileIsAnErrorNamingIt) {
  const fs::path file = kHostile / "libhdf5-crash-dataset.h5";
  const std::string message = error_of([&] { datasets::read_hdf5_dataset(file.string()); });
  EXPECT_TRUE(rejected_by_probe(message)) << message;
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("libhdf5"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  // A bad file is probed again each time, never remembered as good.
  EXPECT_TRUE(rejected_by_probe(error_of([&] { datasets::read_hdf5_dataset(file.string()); })));
}

TEST(H5Probe, CrashingCheckpointIsAnErrorNamingIt) {
  const fs::path file = kHostile / "libhdf5-crash-checkpoint.h5";
  const std::string message = error_of([&] { read_checkpoint(file); });
  EXPECT_TRUE(rejected_by_probe(message)) << message;
  EXPECT_NE(message.find("checkpoint '" + file.string() + "'"), std::string::npos) << message;
}

TEST(H5Probe, LibraryLoopEndsAtTheTimeLimit) {
  // fuzz/library-findings: a corrupt global heap that H5HG_read loops on forever.
  const fs::path file = fs::path(CAMLAB_SOURCE_DIR) / "fuzz" / "library-findings" /
                        "hdf5-1.10.8-vlen-attribute-hang.h5";
  ASSERT_EQ(setenv("CAMLAB_HDF5_PROBE_SECONDS", "1", 1), 0);
  const std::string message = error_of([&] { datasets::read_hdf5_dataset(file.string()); });
  unsetenv("CAMLAB_HDF5_PROBE_SECONDS");
  EXPECT_NE(message.find("did not finish"), std::string::npos) << message;
  EXPECT_NE(message.find("1.0 s"), std::string::npos) << message;
}

TEST(H5Probe, GoodCheckpointPassesAndReadsBackUnchanged) {
  const fs::path file = fs::temp_directory_path() / ("camlab-probe-" + std::to_string(getpid()));
  Generator gen(0);
  Linear net(4, 2, true, gen);
  save_checkpoint(file, net, nullptr, nullptr, {.epoch = 3});
  const Checkpoint read = read_checkpoint(file);
  EXPECT_EQ(read.info.epoch, 3);
  EXPECT_EQ(read.model.size(), net.state_dict().size());
  fs::remove(file);
}

}  // namespace
}  // namespace camlab::nn
