// metrics.csv: header once, one flushed row per epoch, resume truncation.
#include "experiments/run/metrics_csv.h"

#include <gtest/gtest.h>

#include <cmath>

#include "experiments/run/atomic_write.h"
#include "tensor/error.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

const std::vector<std::string> kColumns = {"epoch", "train_loss", "test_accuracy"};

std::map<std::string, double> row(int epoch) {
  return {{"epoch", epoch}, {"train_loss", 1.0 / epoch}, {"test_accuracy", 0.5 + epoch / 100.0}};
}

TEST(MetricsCsv, HeaderThenOneFlushedRowPerEpoch) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.csv";
  MetricsCsv csv = MetricsCsv::create(path, kColumns);
  csv.append(row(1));
  // Flushed: readable before the writer closes.
  EXPECT_EQ(read_text(path), "epoch,train_loss,test_accuracy\n1,1,0.51\n");
  csv.append(row(3));
  EXPECT_EQ(read_text(path), "epoch,train_loss,test_accuracy\n1,1,0.51\n3,0.333333,0.53\n");
}

TEST(MetricsCsv, ResumeDropsRowsPastTheEpochAndKeepsOneHeader) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.csv";
  {
    MetricsCsv csv = MetricsCsv::create(path, kColumns);
    for (int epoch = 1; epoch <= 5; ++epoch) csv.append(row(epoch));
  }
  // A torn last line, as a crash mid-write would leave.
  test::write_file(path, read_text(path) + "6,0.1");
  {
    MetricsCsv csv = MetricsCsv::resume(path, kColumns, 3);  // checkpoint of epoch 3
    csv.append(row(4));
  }
  EXPECT_EQ(read_text(path),
            "epoch,train_loss,test_accuracy\n1,1,0.51\n2,0.5,0.52\n3,0.333333,0.53\n"
            "4,0.25,0.54\n");
}

TEST(MetricsCsv, ResumeWithoutAFileStartsFresh) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.csv";
  MetricsCsv csv = MetricsCsv::resume(path, kColumns, 3);
  csv.append(row(4));
  EXPECT_EQ(read_text(path), "epoch,train_loss,test_accuracy\n4,0.25,0.54\n");
}

TEST(MetricsCsv, ColumnsAreChecked) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.csv";
  { MetricsCsv::create(path, kColumns); }
  EXPECT_THROW(MetricsCsv::resume(path, {"epoch", "loss"}, 1), Error);
  EXPECT_THROW(MetricsCsv::create(path, {"loss", "epoch"}), Error);
  MetricsCsv csv = MetricsCsv::create(path, kColumns);
  EXPECT_THROW(csv.append({{"epoch", 1}, {"train_loss", 1}}), Error);
  EXPECT_THROW(csv.append({{"epoch", 1}, {"train_loss", 1}, {"test_accuracy", 1}, {"x", 2}}),
               Error);
}

TEST(MetricsCsv, NumberFormat) {
  EXPECT_EQ(csv_number(12), "12");
  EXPECT_EQ(csv_number(0.000123456789), "0.000123457");
  EXPECT_EQ(csv_number(-2.5), "-2.5");
  EXPECT_EQ(csv_number(std::nan("")), "nan");
}

}  // namespace
}  // namespace camlab::experiments
