// Training progress: a redrawn bar on a terminal, plain periodic lines in a log or pipe.
//
//   ProgressBar bar(/*epoch=*/3, /*epochs=*/10, /*steps=*/938, {.plain_every = cfg_log_every});
//   for (int64_t step = 1; step <= 938; ++step) bar.update(step, loss, batch_images);
//   bar.finish();
//   // terminal: "epoch 3/10 [=====>    ] 512/938 loss 0.412 1850 img/s ETA 0:21"
//   // otherwise, every plain_every steps: "epoch 3/10 step 512/938 loss 0.412 1850 img/s ETA 0:21"
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace camlab::experiments {

struct ProgressState {
  int64_t epoch = 0, epochs = 0;  // 1-based epoch of `epochs`
  int64_t step = 0, steps = 0;    // steps done of the epoch's total
  double loss = 0;
  double images_per_second = 0;
  double eta_seconds = 0;
};

std::string format_duration(double seconds);  // "0:21", "12:05", "1:02:03"
std::string progress_bar_text(const ProgressState& state, int width = 20);
std::string progress_plain_text(const ProgressState& state);

struct ProgressOptions {
  std::FILE* out = stderr;
  int terminal = -1;            // 1 bar, 0 plain lines, -1 ask isatty(out)
  int64_t plain_every = 50;     // plain mode: a line every this many steps, and at the end
  double redraw_seconds = 0.1;  // bar mode: redraw at most this often
};

class ProgressBar {
 public:
  ProgressBar(int64_t epoch, int64_t epochs, int64_t steps, ProgressOptions options = {});
  // `step` steps are done (1-based); `images` were in the step just finished.
  void update(int64_t step, double loss, int64_t images);
  void finish();  // ends the bar's line (terminal mode)

 private:
  using Clock = std::chrono::steady_clock;
  ProgressState state_;
  ProgressOptions options_;
  bool terminal_;
  int64_t images_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace camlab::experiments
