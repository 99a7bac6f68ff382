// `camlab report`: the HTML page's pieces (base64, SVG plots, Markdown tables), the run and sweep
// pages built from run directories, and a real browser (headless Chromium) rendering them.
#include "experiments/report/report.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <set>
#include <sstream>

#include "cam/render/png_io.h"
#include "experiments/report/html.h"
#include "experiments/report/markdown.h"
#include "experiments/report/svg_plot.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_results.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

// How many times `needle` occurs in `text`.
int count_of(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

namespace fs = std::filesystem;

// A finished run directory as `camlab train`, `explain` and `localize` leave it (written by hand:
// the page only reads files).
void make_run(const fs::path& run, double accuracy) {
  fs::create_directories(run / "explain");
  fs::create_directories(run / "localize");
  test::write_file(run / "config.toml", "[experiment]\nname = \"tiny\"\nseed = 0\n");
  test::write_file(run / "metrics.csv",
                   "epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,images_per_second,"
                   "seconds\n1,1.2,0.4,1.1,0.45,0.05,900,1.5\n2,0.8,0.6,nan,nan,0.04,950,1.4\n"
                   "3,0.6,0.7,0.7," +
                       std::to_string(accuracy) + ",0.01,940,1.4\n");
  write_json_atomic(
      run / "metrics.json",
      {{"test_accuracy", accuracy}, {"test_loss", 0.7}, {"epochs", 3}, {"device", "cpu"}});
  write_json_atomic(run / "run_info.json", {{"status", "finished"},
                                            {"camlab_version", "0.1.0"},
                                            {"git", "v0-test"},
                                            {"compiler", "gcc <12>"},
                                            {"blas", "OpenBLAS"},
                                            {"device", "cpu"},
                                            {"threads", 2},
                                            {"command", {"camlab", "train", "x.toml"}}});
  render::write_png(run / "explain" / "explain.png",
                    render::RgbImage::filled(6, 4, render::Rgb{200, 30, 30}));
  test::write_file(run / "localize" / "localize.md",
                   "## Localization\n\n| method | GT-known Loc | mean IoU |\n|---|--:|--:|\n"
                   "| cam | 61.0% | 0.48 |\n| gradcam | 58.5% | 0.45 |\n");
}

void make_sweep(const fs::path& dir) {
  SweepPlan plan{.config_path = "tiny.toml",
                 .name = "tiny",
                 .mode = "grid",
                 .keys = {"model.layers.0.out", "model.layers.1.type"},
                 .dir = dir,
                 .base_toml = "[experiment]\nname = \"tiny\"\n"};
  double accuracy = 0.5;
  for (const char* width : {"4", "8"}) {
    for (const char* type : {"\"relu\"", "\"gelu\""}) {
      const std::string label = fmt::format("out={},type={}", width, display_value(type));
      plan.runs.push_back({.label = label, .values = {width, type}, .dir = dir / label});
      make_run(dir / label, accuracy += 0.1);
    }
  }
  write_sweep_record(plan);
}

TEST(Report, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\xfe", 3)), "/wD+");
}

TEST(Report, SvgPlotDrawsEverySeriesWithNiceTicksAndEscapedText) {
  const std::vector<double> unit = nice_ticks(0, 1);
  ASSERT_EQ(unit.size(), 6u);
  for (size_t i = 0; i < unit.size(); ++i)
    EXPECT_NEAR(unit[i], 0.2 * static_cast<double>(i), 1e-12);
  EXPECT_EQ(nice_ticks(3, 27, 4), (std::vector<double>{5, 10, 15, 20, 25}));
  SvgPlot plot{.title = "loss <train & test>", .x_label = "epoch", .y_label = "loss"};
  plot.series = {{.name = "train", .y = {1.0, 0.5, 0.25}},
                 {.name = "test", .x = {1, 2, 3}, .y = {1.1, NAN, 0.3}}};
  const std::string svg = svg_line_plot(plot);
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_NE(svg.find("loss &lt;train &amp; test&gt;"), std::string::npos);
  // The NaN splits "test" into two one-point polylines; "train" is one line of three points.
  EXPECT_EQ(count_of(svg, "<polyline"), 3);
  EXPECT_EQ(count_of(svg, "<circle"), 5);
  SvgPlot words{.title = "acc", .categories = {"batchnorm", "relu"}};
  words.series = {{.name = "", .x = {0, 1}, .y = {0.9, 0.8}}};
  const std::string svg2 = svg_line_plot(words);
  EXPECT_NE(svg2.find(">batchnorm</text>"), std::string::npos);
  EXPECT_NE(svg2.find(">relu</text>"), std::string::npos);
}

TEST(Report, MarkdownTablesBecomeHtmlTables) {
  const std::string html = markdown_to_html(
      "# Title\n\nsome *text* <b>\n\n| method | IoU |\n|---|--:|\n| cam\\|x | 0.41 "
      "|\n\n![p](p.png)\n");
  EXPECT_NE(html.find("<h3>Title</h3>"), std::string::npos) << html;
  EXPECT_NE(html.find("<p>some *text* &lt;b&gt;</p>"), std::string::npos) << html;
  EXPECT_NE(html.find("<th>method</th><th>IoU</th>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>cam|x</td><td class=\"num\">0.41</td>"), std::string::npos) << html;
  EXPECT_EQ(html.find("---"), std::string::npos);
  EXPECT_EQ(html.find("p.png"), std::string::npos);
  EXPECT_EQ(parse_csv("a,\"b,c\",\"say \"\"hi\"\"\"\n1,2,3\n"),
            (std::vector<std::vector<std::string>>{{"a", "b,c", "say \"hi\""}, {"1", "2", "3"}}));
}

TEST(Report, RunPageHoldsEverySectionWithImagesInlined) {
  test::TempDir tmp;
  make_run(tmp.path() / "run", 0.8);
  const fs::path page = write_report(tmp.path() / "run");
  EXPECT_EQ(page, tmp.path() / "run" / "report.html");
  const std::string html = read_text(page);
  for (const char* id : {"config", "metrics", "curves", "gallery", "localization"}) {
    EXPECT_NE(html.find(fmt::format("<section id=\"{}\">", id)), std::string::npos) << id;
  }
  EXPECT_NE(html.find("name = &quot;tiny&quot;"), std::string::npos);          // config
  EXPECT_NE(html.find("<td>test_accuracy</td><td class=\"num\">80.00%</td>"),  // metrics
            std::string::npos);
  EXPECT_NE(html.find("gcc &lt;12&gt;"), std::string::npos);                           // run_info
  EXPECT_NE(html.find("<svg"), std::string::npos);                                     // curves
  EXPECT_NE(html.find("src=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);  // gallery
  EXPECT_NE(html.find("<td>gradcam</td><td class=\"num\">58.5%</td>"), std::string::npos);
  // Nothing to fetch: no http(s) URL as a src or href (the SVG namespace is a name, not a fetch).
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);

  const fs::path elsewhere = write_report(tmp.path() / "run", tmp.path() / "out" / "r.html");
  EXPECT_TRUE(fs::exists(elsewhere));
  EXPECT_THROW(write_report(tmp.path() / "nothing"), Error);
}

TEST(Report, SweepPageComparesRunsBestFirst) {
  test::TempDir tmp;
  make_sweep(tmp.path() / "sweep");
  const std::string html = read_text(write_report(tmp.path() / "sweep"));
  for (const char* id : {"sweep", "config", "metrics", "curves", "gallery", "runs"}) {
    EXPECT_NE(html.find(fmt::format("<section id=\"{}\">", id)), std::string::npos) << id;
  }
  // The last run has the highest accuracy (0.9): ranked first and marked.
  EXPECT_NE(html.find("<tr class=\"best\"><td class=\"num\">1</td><td>out=8,type=gelu</td>"),
            std::string::npos);
  EXPECT_NE(html.find("Best run: out=8,type=gelu"), std::string::npos);
  EXPECT_NE(html.find(">test_accuracy vs model.layers.1.type</text>"), std::string::npos);
  EXPECT_NE(html.find(">gelu</text>"), std::string::npos);  // categorical ticks
}

// ---------------------------------------------------------------------------------------------
// A real browser: Debian's chromium, headless.

constexpr const char* kChromium = "/usr/bin/chromium";

struct BrowserRun {
  int status = -1;
  std::string out, err;
};

// One headless Chromium run with its own profile; `mode` is --dump-dom or --screenshot=FILE.
BrowserRun chromium(const fs::path& page, const std::string& mode, const fs::path& work) {
  static std::atomic<int> counter{0};
  const fs::path profile = work / fmt::format("profile{}", counter++);
  const fs::path out = profile.string() + ".out", err = profile.string() + ".err";
  fs::create_directories(profile);
  const std::string command = fmt::format(
      "{} --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --user-data-dir='{}' "
      "--window-size=1200,2000 --enable-logging=stderr --v=0 {} 'file://{}' > '{}' 2> '{}'",
      kChromium, profile.string(), mode, fs::absolute(page).string(), out.string(), err.string());
  BrowserRun run;
  run.status = std::system(command.c_str());
  run.out = fs::exists(out) ? read_text(out) : "";
  run.err = fs::exists(err) ? read_text(err) : "";
  return run;
}

// Lines where the page said something on the console (every console message of a page without
// scripts is an error: a resource that failed to load, a blocked request, ...).
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST(Report, ChromiumRendersTheSweepPageWithoutConsoleErrors) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << "no " << kChromium << " (apt-get install chromium)";
  test::TempDir tmp;
  make_sweep(tmp.path() / "sweep");
  const fs::path page = write_report(tmp.path() / "sweep");
  const fs::path broken = tmp.path() / "broken.html";
  test::write_file(broken,
                   "<!doctype html><title>x</title><img src=\"missing.png\">"
                   "<script>console.error('boom')</script>");
  const fs::path screenshot = tmp.path() / "report.png";
  // Three browsers at once (each takes ~2 s to start): the page's DOM and console, its screenshot,
  // and a page with known errors that proves the console check can fail.
  auto dom =
      std::async(std::launch::async, [&] { return chromium(page, "--dump-dom", tmp.path()); });
  auto shot = std::async(std::launch::async, [&] {
    return chromium(page, "--screenshot=" + screenshot.string(), tmp.path());
  });
  auto control =
      std::async(std::launch::async, [&] { return chromium(broken, "--dump-dom", tmp.path()); });

  const BrowserRun rendered = dom.get();
  ASSERT_EQ(rendered.status, 0) << rendered.err;
  for (const char* id : {"config", "metrics", "curves", "gallery", "sweep"}) {
    EXPECT_NE(rendered.out.find(fmt::format("id=\"{}\"", id)), std::string::npos) << id;
  }
  EXPECT_NE(rendered.out.find("<svg"), std::string::npos);
  EXPECT_NE(rendered.out.find("data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(console_lines(rendered.err), std::vector<std::string>{}) << rendered.err;

  const BrowserRun shot_run = shot.get();
  ASSERT_EQ(shot_run.status, 0) << shot_run.err;
  ASSERT_TRUE(fs::exists(screenshot)) << shot_run.err;
  const render::RgbImage png = render::read_png(screenshot);
  EXPECT_EQ(png.width, 1200);
  EXPECT_EQ(png.height, 2000);
  // Not a blank page: the table, plots and text leave many distinct colors.
  std::set<uint32_t> colors;
  for (size_t i = 0; i + 2 < png.pixels.size() && colors.size() < 64; i += 3) {
    colors.insert(png.pixels[i] << 16 | png.pixels[i + 1] << 8 | png.pixels[i + 2]);
  }
  EXPECT_GE(colors.size(), 64u);

  const BrowserRun bad = control.get();
  EXPECT_FALSE(console_lines(bad.err).empty()) << "the console check saw nothing:\n" << bad.err;
}

}  // namespace
}  // namespace camlab::experiments
