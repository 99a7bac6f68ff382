#include "experiments/run/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace camlab::experiments {

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  const int64_t hours = total / 3600, minutes = total / 60 % 60, secs = total % 60;
  if (hours > 0) return fmt::format("{}:{:02}:{:02}", hours, minutes, secs);
  return fmt::format("{}:{:02}", minutes, secs);
}

std::string progress_bar_text(const ProgressState& s, int width) {
  const double fraction = s.steps > 0 ? std::clamp(double(s.step) / double(s.steps), 0.0, 1.0) : 0;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < width) bar += '>' + std::string(static_cast<size_t>(width - filled - 1), ' ');
  return fmt::format("epoch {}/{} [{}] {}/{} loss {:.3f} {:.0f} img/s ETA {}", s.epoch, s.epochs,
                     bar, s.step, s.steps, s.loss, s.images_per_second,
                     format_duration(s.eta_seconds));
}

std::string progress_plain_text(const ProgressState& s) {
  return fmt::format("epoch {}/{} step {}/{} loss {:.3f} {:.0f} img/s ETA {}", s.epoch, s.epochs,
                     s.step, s.steps, s.loss, s.images_per_second, format_duration(s.eta_seconds));
}

ProgressBar::ProgressBar(int64_t epoch, int64_t epochs, int64_t steps, ProgressOptions options)
    : state_{.epoch = epoch, .epochs = epochs, .steps = steps},
      options_(options),
      terminal_(options.terminal >= 0 ? options.terminal == 1
                                      : ::isatty(::fileno(options.out)) == 1) {}

void ProgressBar::update(int64_t step, double loss, int64_t images) {
  const Clock::time_point now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  images_ += images;
  state_.step = step;
  state_.loss = loss;
  state_.images_per_second = elapsed > 0 ? double(images_) / elapsed : 0;
  state_.eta_seconds = step > 0 ? elapsed / double(step) * double(state_.steps - step) : 0;
  const bool last = step >= state_.steps;
  if (terminal_) {
    const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
    if (drawn_ && !last && since_draw < options_.redraw_seconds) return;
    // \r back to column 0, \x1b[K clears what a longer previous line left behind.
    fmt::print(options_.out, "\r{}\x1b[K", progress_bar_text(state_));
  } else {
    if (!last && (options_.plain_every <= 0 || step % options_.plain_every != 0)) return;
    fmt::print(options_.out, "{}\n", progress_plain_text(state_));
  }
  std::fflush(options_.out);
  last_draw_ = now;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (terminal_ && drawn_) {
    fmt::print(options_.out, "\n");
    std::fflush(options_.out);
  }
  drawn_ = false;
}

}  // namespace camlab::experiments
