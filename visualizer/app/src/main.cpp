// dojo-viz: the Pipeline Dojo visualizer.
//
//   dojo-viz [TRACE] [--scenario NAME] [--seed S] [--replay R] [--view V]... [--presenter]
//            [--high-contrast] [--quiz] [--size WxH]
//   dojo-viz --screenshot OUT.png [--at 40% | --event N] [...]   one frame, then exit
//   dojo-viz --screenshot OUT.png --scenario NAME --quiz N [--answer K]
//                                 paused before question N (1-based) of "What happens next?";
//                                 with --answer K (A, B, ... or 1, 2, ...): that answer given
//                                 and the event played, showing the verdict and explanation
//   dojo-viz --screenshot OUT.png --scenario NAME --picks ID,ID,...
//                                 "You are the scheduler" after those picks (task ids; "" for
//                                 none): the options and Undo, or the outcome and the replay
//   dojo-viz --gallery DIR        every built-in scenario at several points, as PNGs
//   dojo-viz --list               the built-in scenarios
//   dojo-viz --check TRACE        read a trace and report whether it is well formed
//   dojo-viz --bench [--frames N] frame time with 1,000 tasks and 100,000 events
//
// Exit codes: 0 ok; 2 bad usage, a malformed trace (file:line: what is wrong) or an unknown
// scenario; 3 no display / no OpenGL; 1 a screenshot could not be written.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app.hpp"
#include "dojo/viz/model/synth.hpp"
#include "window.hpp"

namespace fs = std::filesystem;
using namespace dojo::viz::app;

namespace {

struct Options {
  std::string trace, scenario, replay, screenshot, gallery, at;
  std::optional<std::size_t> quiz_number;   ///< --quiz N (1-based)
  std::optional<std::size_t> quiz_answer;   ///< --answer K (0-based)
  std::optional<std::string> picks;         ///< --picks ID,ID,...
  std::optional<std::uint64_t> seed;
  std::optional<std::size_t> event;
  std::vector<std::string> views;
  bool presenter = false, high_contrast = false, quiz = false, list = false, bench = false, check = false;
  int width = 1280, height = 800, frames = 240;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "dojo viz: %s (try --help)\n", msg.c_str());
  std::exit(2);
}

void print_help() {
  std::puts(
      "usage: dojo viz [TRACE | --last | --scenario NAME] [options]\n"
      "  TRACE                 a goro trace (JSON Lines, docs/trace-format.md)\n"
      "  --scenario NAME       run a built-in scenario live (--list shows them)\n"
      "  --seed S, --replay R  the scenario's seed / a replay string (You are the scheduler)\n"
      "  --view V              pipeline | contexts | timeline (main), details | errors | leaks |\n"
      "                        gallery | quiz | scheduler (side panel); may be repeated\n"
      "  --presenter           larger fonts;  --high-contrast  high-contrast palette\n"
      "  --quiz [N]            'What happens next?': pause before decisive events and ask;\n"
      "                        with N, start paused before question N (1-based)\n"
      "  --answer K            with --quiz N: answer K (A, B, ... or 1, 2, ...), play the event\n"
      "  --picks ID,ID,...     'You are the scheduler' (needs --scenario): start a game and pick\n"
      "                        these task ids in turn (\"\" for none)\n"
      "  --screenshot OUT.png  render one frame and exit; with --at 40% or --event N\n"
      "  --gallery DIR         render every built-in scenario at several points into DIR\n"
      "  --size WxH            window size (default 1280x800)\n"
      "  --list                list the built-in scenarios\n"
      "  --check TRACE         only read the trace: exit 0 if well formed, else 2 with file:line\n"
      "  --bench [--frames N]  frame time with 1,000 tasks / 100,000 events");
}

Options parse(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage_error(fmt::format("{} needs a value", argv[i]));
    return argv[++i];
  };
  auto number = [&](const std::string& s, const char* what) -> std::uint64_t {
    try {
      std::size_t used = 0;
      const auto v = std::stoull(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
      return v;
    } catch (const std::exception&) {
      usage_error(fmt::format("{} must be a non-negative integer, not '{}'", what, s));
    }
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      print_help();
      std::exit(0);
    } else if (a == "--scenario") o.scenario = need(i);
    else if (a == "--seed") o.seed = number(need(i), "--seed");
    else if (a == "--replay") o.replay = need(i);
    else if (a == "--trace") o.trace = need(i);
    else if (a == "--view") o.views.push_back(need(i));
    else if (a == "--screenshot") o.screenshot = need(i);
    else if (a == "--gallery") o.gallery = need(i);
    else if (a == "--at") o.at = need(i);
    else if (a == "--event") o.event = number(need(i), "--event");
    else if (a == "--presenter") o.presenter = true;
    else if (a == "--high-contrast") o.high_contrast = true;
    else if (a == "--quiz") {
      o.quiz = true;
      if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
        const auto n = number(argv[++i], "--quiz");
        if (n == 0) usage_error("--quiz N counts from 1");
        o.quiz_number = static_cast<std::size_t>(n);
      }
    } else if (a == "--answer") {
      const std::string k = need(i);
      if (k.size() == 1 && k[0] >= 'A' && k[0] <= 'Z') o.quiz_answer = static_cast<std::size_t>(k[0] - 'A');
      else if (k.size() == 1 && k[0] >= 'a' && k[0] <= 'z') o.quiz_answer = static_cast<std::size_t>(k[0] - 'a');
      else {
        const auto n = number(k, "--answer");
        if (n == 0) usage_error("--answer K counts from 1 (or use A, B, ...)");
        o.quiz_answer = static_cast<std::size_t>(n - 1);
      }
    } else if (a == "--picks") o.picks = need(i);
    else if (a == "--list") o.list = true;
    else if (a == "--bench") o.bench = true;
    else if (a == "--check") o.check = true;
    else if (a == "--frames") o.frames = static_cast<int>(std::clamp<std::uint64_t>(number(need(i), "--frames"), 1, 100000));
    else if (a == "--size") {
      const std::string s = need(i);
      if (std::sscanf(s.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 200 || o.height < 150 ||
          o.width > 8192 || o.height > 8192)
        usage_error(fmt::format("--size wants WxH, e.g. 1280x800, not '{}'", s));
    } else if (!a.empty() && a[0] == '-') usage_error(fmt::format("unknown option '{}'", a));
    else if (o.trace.empty()) o.trace = a;
    else usage_error(fmt::format("one trace at a time ('{}' and '{}')", o.trace, a));
  }
  if (!o.trace.empty() && !o.scenario.empty()) usage_error("give a trace or --scenario, not both");
  if (!o.at.empty() && o.event) usage_error("give --at or --event, not both");
  if (o.quiz_answer && !o.quiz_number) usage_error("--answer needs --quiz N");
  if (o.quiz_number && (!o.at.empty() || o.event)) usage_error("--quiz N chooses the position: drop --at/--event");
  if (o.picks && !o.trace.empty()) usage_error("--picks plays a built-in scenario: give --scenario, not a trace");
  if (o.picks && o.quiz_number) usage_error("give --quiz N or --picks, not both");
  return o;
}

/// "40%" -> 0.4; also "0.4".
double parse_at(const std::string& s) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used < s.size() && s.substr(used) == "%") v /= 100;
    else if (used != s.size()) throw std::invalid_argument(s);
    if (v < 0 || v > 1) throw std::out_of_range(s);
    return v;
  } catch (const std::exception&) {
    usage_error(fmt::format("--at wants a percentage such as 40%, not '{}'", s));
  }
}

void apply_views(App& app, const std::vector<std::string>& views) {
  for (const auto& v : views) {
    std::optional<MainView> m;
    std::optional<SideView> s;
    if (!parse_view(v, m, s)) usage_error(fmt::format("unknown view '{}'", v));
    if (m) app.set_main_view(*m);
    if (s) app.set_side_view(*s);
  }
}

/// Splits "2,2,1" into task ids; "" gives none.
std::vector<std::uint64_t> parse_picks(const std::string& s) {
  std::vector<std::uint64_t> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    const std::string id = s.substr(pos, end - pos);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
      usage_error(fmt::format("--picks wants task ids separated by commas, e.g. 2,2,1, not '{}'", s));
    out.push_back(std::stoull(id));
    pos = end + 1;
  }
  return out;
}

/// --quiz N [--answer K] and --picks: puts the app where the option says (no window needed).
/// Returns 0, or 2 after printing what is wrong.
int prepare(App& app, const Options& o) {
  if (o.quiz_number) {
    const std::size_t n = *o.quiz_number;
    if (!app.goto_quiz(n - 1)) {
      std::fprintf(stderr, "dojo viz: --quiz %zu: this run has %zu question(s)\n", n, app.quiz_count());
      return 2;
    }
    if (o.views.empty()) app.set_side_view(SideView::quiz);
    if (o.quiz_answer) {
      const std::size_t choices = app.quizzes()[n - 1].choices.size();
      if (*o.quiz_answer >= choices) {
        std::fprintf(stderr, "dojo viz: --answer: question %zu has %zu choices (A to %c)\n", n, choices,
                     static_cast<char>('A' + choices - 1));
        return 2;
      }
      app.apply({Intent::Kind::quiz_answer, *o.quiz_answer});
      // Play the decisive event (as "Play it" does), and stay there.
      app.playback().step_next();
      app.playback().settle();
      app.sync_cursor();
    }
  }
  if (o.picks) {
#ifdef DOJO_VIZ_HAVE_SCENARIOS
    if (app.scenario().empty()) usage_error("--picks needs --scenario NAME");
    app.apply({Intent::Kind::sched_start});
    if (app.game() == nullptr) {
      std::fprintf(stderr, "dojo viz: --picks: %s\n", app.game_message().c_str());
      return 2;
    }
    for (std::uint64_t id : parse_picks(*o.picks)) {
      const auto* g = app.game();
      if (g->finished()) {
        std::fprintf(stderr, "dojo viz: --picks: the run finished (%s) before pick g%llu\n",
                     goro::outcome_name(g->outcome()), static_cast<unsigned long long>(id));
        return 2;
      }
      std::string runnable;
      for (const auto& op : g->options()) runnable += fmt::format(" {} ({})", op.task, op.name);
      app.apply({Intent::Kind::sched_pick, id});
      if (!app.game_message().empty()) {
        std::fprintf(stderr, "dojo viz: --picks: task %llu is not runnable at decision %zu; runnable:%s\n",
                     static_cast<unsigned long long>(id), g->decisions() + 1, runnable.c_str());
        return 2;
      }
    }
    if (o.views.empty()) app.set_side_view(SideView::scheduler);
#else
    std::fprintf(stderr, "dojo viz: --picks: the built-in scenarios are not part of this build\n");
    return 2;
#endif
  }
  return 0;
}

void load_fonts(App& app) {
  ImGuiIO& io = ImGui::GetIO();
  const char* path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (fs::exists(path)) {
    ImFont* normal = io.Fonts->AddFontFromFileTTF(path, 15.0f);
    ImFont* large = io.Fonts->AddFontFromFileTTF(path, 23.0f);
    if (normal && large) {
      app.set_fonts(normal, large);
      return;
    }
  }
  io.Fonts->AddFontDefault();
}

void seek(App& app, const Options& o, double fallback) {
  auto& pb = app.playback();
  if (o.event) pb.seek(*o.event);
  else pb.seek_fraction(o.at.empty() ? fallback : parse_at(o.at));
  pb.pause();
  pb.settle();
  app.sync_cursor();
}

/// Renders frames until layout and animations have settled, then writes the PNG.
bool shoot(Window& w, App& app, const std::string& out) {
  for (int i = 0; i < 4; ++i) {
    w.begin_frame();
    app.frame(i == 0 ? 0.0 : 1.0 / 60);
    app.playback().settle();
    w.render();
    if (i < 3) w.present();
  }
  const bool ok = w.save_png(out);
  w.present();
  if (!ok) std::fprintf(stderr, "dojo viz: cannot write %s\n", out.c_str());
  return ok;
}

int bench(Window& w, App& app, const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  app.open_trace(dojo::trace::read_trace_string(dojo::viz::synth_trace(1000, 100000, 1), "synthetic"),
                 "synthetic: 1,000 tasks, 100,000 events");
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("load+layout\t%.1f ms\n", load_ms);
  const MainView views[] = {MainView::pipeline, MainView::timeline, MainView::contexts};
  const char* names[] = {"pipeline", "timeline", "contexts"};
  double worst = 0;
  for (int v = 0; v < 3; ++v) {
    app.set_main_view(views[v]);
    app.playback().seek_fraction(0.3);
    app.playback().settle();
    app.playback().set_speed(2000);  // playing: the cursor moves every frame
    app.playback().play();
    std::vector<double> ms, cpu, raster, present;
    auto since = [](auto from, auto to) { return std::chrono::duration<double, std::milli>(to - from).count(); };
    for (int i = 0; i < o.frames + 5; ++i) {
      const auto a = std::chrono::steady_clock::now();
      w.begin_frame();
      app.frame(1.0 / 60);
      const auto b = std::chrono::steady_clock::now();
      w.render();
      w.finish();  // the software renderer has drawn the frame
      const auto c = std::chrono::steady_clock::now();
      w.present();
      w.finish();
      const auto d = std::chrono::steady_clock::now();
      if (i >= 5) {
        ms.push_back(since(a, d));
        cpu.push_back(since(a, b));
        raster.push_back(since(b, c));
        present.push_back(since(c, d));
      }
    }
    for (auto* v : {&ms, &cpu, &raster, &present}) std::sort(v->begin(), v->end());
    const double med = ms[ms.size() / 2], p90 = ms[ms.size() * 9 / 10];
    worst = std::max(worst, med);
    int cmds = 0;
    const ImDrawData* dd = ImGui::GetDrawData();
    for (int i = 0; dd && i < dd->CmdListsCount; ++i) cmds += dd->CmdLists[i]->CmdBuffer.Size;
    std::printf("frame_%s\t%.2f ms median\t%.2f ms p90\tmedians: %.2f ms building the frame, %.2f ms rasterising, "
                "%.2f ms presenting; %d vertices, %d draw calls\n",
                names[v], med, p90, cpu[cpu.size() / 2], raster[raster.size() / 2], present[present.size() / 2],
                dd ? dd->TotalVtxCount : 0, cmds);
  }
  std::printf("frame_worst_median\t%.2f\n", worst);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  if (o.list) {
#ifdef DOJO_VIZ_HAVE_SCENARIOS
    for (const auto& s : dojo::viz::scenarios())
      std::printf("%-24s %-9s %s\n", s.name.c_str(), s.category.c_str(), s.title.c_str());
    return 0;
#else
    std::fprintf(stderr, "dojo viz: the built-in scenarios are not part of this build\n");
    return 2;
#endif
  }

  App app;
  app.set_presenter(o.presenter);
  app.set_high_contrast(o.high_contrast);
  int status = 0;
  // Load before opening a window: a malformed trace is reported even without a display.
  if (!o.trace.empty()) {
    if (!app.open_trace_file(o.trace)) {
      std::fprintf(stderr, "dojo viz: %s\n", app.error().c_str());
      if (o.check || !o.screenshot.empty() || !o.gallery.empty()) return 2;
      status = 2;  // still open the app, which shows the error
    }
    if (o.check) {
      std::printf("%s: ok (%zu events, %zu tasks)\n", o.trace.c_str(), app.loaded()->trace.events.size(),
                  app.loaded()->trace.tasks.size());
      return 0;
    }
  } else if (o.check) {
    usage_error("--check needs a TRACE");
  } else if (!o.bench && o.gallery.empty()) {
    const auto names = App::scenario_names();
    const std::string name = !o.scenario.empty() ? o.scenario : names.empty() ? std::string() : names.front();
    if (!name.empty() && !app.open_scenario(name, o.seed, o.replay)) {
      std::fprintf(stderr, "dojo viz: %s\n", app.error().c_str());
      return 2;
    }
  }
  apply_views(app, o.views);
  if (o.quiz) app.set_quiz_mode(true);
  if (!o.gallery.empty() && (o.quiz_number || o.picks)) usage_error("--gallery renders every scenario: drop --quiz N/--picks");
  if (const int rc = prepare(app, o); rc != 0) return rc;

  const bool headless = !o.screenshot.empty() || !o.gallery.empty() || o.bench;
  Window w(o.width, o.height, "Pipeline Dojo - dojo viz", !headless);
  if (!w.ok()) {
    std::fprintf(stderr, "dojo viz: %s\n", w.error().c_str());
    std::fprintf(stderr, "dojo viz: no display: add --screenshot OUT.png to render a picture instead "
                         "(./dojo viz starts Xvfb for it)\n");
    return status != 0 ? status : 3;  // a malformed trace (2) is the news
  }
  load_fonts(app);
  w.set_ignore_mouse(headless);

  if (o.bench) return bench(w, app, o);

  if (!o.screenshot.empty()) {
    if (!o.quiz_number && !o.picks) seek(app, o, 1.0);
    if (!shoot(w, app, o.screenshot)) return 1;
    std::printf("%s\n", o.screenshot.c_str());
    return status;
  }

  if (!o.gallery.empty()) {
    std::error_code ec;
    fs::create_directories(o.gallery, ec);
    const auto names = App::scenario_names();
    if (names.empty()) {
      std::fprintf(stderr, "dojo viz: the built-in scenarios are not part of this build\n");
      return 2;
    }
    const double points[] = {0.25, 0.5, 0.75, 1.0};
    for (const auto& name : names) {
      if (!app.open_scenario(name, o.seed)) {
        std::fprintf(stderr, "dojo viz: %s\n", app.error().c_str());
        return 2;
      }
      apply_views(app, o.views);
      for (double p : points) {
        Options at = o;
        at.event.reset();
        at.at = fmt::format("{}%", static_cast<int>(p * 100));
        seek(app, at, p);
        const std::string out = (fs::path(o.gallery) / fmt::format("{}_{:03}.png", name, static_cast<int>(p * 100))).string();
        if (!shoot(w, app, out)) return 1;
      }
      std::printf("%s: %zu images\n", name.c_str(), std::size(points));
    }
    std::printf("gallery written to %s\n", o.gallery.c_str());
    return 0;
  }

  // Interactive.
  if (!o.quiz_number && !o.picks) app.playback().play();
  auto last = std::chrono::steady_clock::now();
  while (!w.should_close()) {
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    last = now;
    w.begin_frame();
    app.frame(std::min(dt, 0.1));
    w.render();
    w.present();
  }
  return status;
}
