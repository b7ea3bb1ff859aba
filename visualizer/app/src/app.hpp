// The visualizer app's state and the ImGui views that draw it.
//
// The views only draw the model (dojo_viz_model + the trace reader's Snapshot) and turn
// clicks into Intents; App::apply() carries the intents out after the frame is drawn. There is
// no GLFW or OpenGL here: main.cpp/window.cpp provide the window, and the tests drive a frame
// with ImGui's null backend (io.DisplaySize + a built font atlas).
//
//   dojo::viz::app::App app;
//   app.open_trace_file("run.jsonl");   // false + app.error() on malformed input
//   each frame: ImGui::NewFrame(); app.frame(dt); ImGui::Render();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dojo/trace/reader.hpp"
#include "dojo/trace/state.hpp"
#include "dojo/viz/model/animation.hpp"
#include "dojo/viz/model/describe.hpp"
#include "dojo/viz/model/layout.hpp"
#include "dojo/viz/model/palette.hpp"
#include "dojo/viz/model/playback.hpp"
#include "dojo/viz/model/timeline.hpp"

#ifdef DOJO_VIZ_HAVE_SCENARIOS
#include "dojo/viz/quiz.hpp"
#include "dojo/viz/scenarios.hpp"
#include "dojo/viz/scheduler_game.hpp"
#endif

struct ImFont;

namespace dojo::viz::app {

enum class MainView { pipeline, contexts, timeline };
enum class SideView { details, errors, leaks, gallery, quiz, scheduler };

/// Parses "pipeline", "contexts" (or "context"), "timeline", "details", "errors", "leaks",
/// "gallery", "quiz" (or "next"), "scheduler". False for an unknown name.
bool parse_view(const std::string& name, std::optional<MainView>& main, std::optional<SideView>& side);

/// What a click asks for. The views push these; App::apply carries them out.
struct Intent {
  enum class Kind {
    play_toggle, step_next, step_prev, step_task, seek, set_speed, select_task,
    open_scenario, rerun_new_seed, toggle_presenter, toggle_contrast, toggle_quiz_mode,
    quiz_answer, quiz_continue, sched_start, sched_pick, sched_undo, sched_stop,
    show_main, show_side, fit_view,
  };
  Intent(Kind k, std::uint64_t i = 0, double v = 0, std::string n = {}) : kind(k), id(i), value(v), name(std::move(n)) {}
  Kind kind;
  std::uint64_t id = 0;  ///< task, seed, choice index, view index
  double value = 0;      ///< seek position, speed
  std::string name;      ///< scenario
  friend bool operator==(const Intent&, const Intent&) = default;
};

/// A loaded trace and everything derived from it (built once; never moves: the cursor points
/// into the trace).
struct Loaded {
  explicit Loaded(dojo::trace::Trace t, std::string source);
  /// (Re)computes the layouts with boxes sized by `width`, the width of a label in the font
  /// of `font_px` pixels; the views draw canvas text at min(font size, font_px * zoom).
  void lay_out(const TextWidth& width, float font_px);
  dojo::trace::Trace trace;
  std::string source;  ///< file path or "scenario NAME (seed S)"
  dojo::trace::Cursor cursor;
  float layout_px = 0;    ///< the font size the layouts were measured with (0: not yet)
  bool measured = false;  ///< with a font's metrics (else estimated widths)
  PipelineLayout layout;
  ContextLayout contexts;
  Timeline timeline;
  AnimationIndex anim;
  ChannelNames names;
};

/// Pan and zoom of a 2D view (world units -> pixels): screen = origin + (world - pan) * zoom.
struct View2D {
  float zoom = 1;
  float pan_x = 0, pan_y = 0;
  bool fitted = false;  ///< fit to the canvas on the next draw
};

struct TimelineView {
  double x0 = 0;        ///< first event shown
  double px = 0;        ///< pixels per event (0: fit on the next draw)
  float lane_scroll = 0;
};

class App {
 public:
  /// A "what happens next?" question as the quiz panel shows it.
  struct QuizView {
    std::size_t pause_at = 0;
    std::string question;
    std::vector<std::string> choices;
    std::size_t answer = 0;
    std::string explanation;
    std::optional<std::size_t> picked;
  };

  App();
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Opens a trace file. On malformed input keeps the current trace, sets error() to
  /// "file:line: what is wrong" and returns false.
  bool open_trace_file(const std::string& path);
  /// Opens a trace already read (tests, generated traces).
  void open_trace(dojo::trace::Trace t, std::string source);
  /// Runs a built-in scenario with `seed` (or following `replay`) and opens its trace.
  /// False (and error()) when the scenario is unknown or scenarios are not built.
  bool open_scenario(const std::string& name, std::optional<std::uint64_t> seed = std::nullopt,
                     const std::string& replay = "");
  /// Names of the built-in scenarios (empty when not built).
  [[nodiscard]] static std::vector<std::string> scenario_names();

  /// Draws one frame of every window (between ImGui::NewFrame and ImGui::Render), after
  /// advancing playback by `dt` seconds, then applies the intents the frame produced.
  void frame(double dt);
  /// The intents of the last frame (before they were applied): for tests.
  [[nodiscard]] const std::vector<Intent>& last_intents() const noexcept { return last_intents_; }
  void push(Intent i) { intents_.push_back(std::move(i)); }
  void apply(const Intent& i);

  // Settings.
  void set_presenter(bool on) noexcept { presenter_ = on; }
  void set_high_contrast(bool on) noexcept { high_contrast_ = on; }
  [[nodiscard]] bool presenter() const noexcept { return presenter_; }
  void set_main_view(MainView v) noexcept { main_view_ = v; main_view_changed_ = true; }
  void set_side_view(SideView v) noexcept { side_view_ = v; side_view_changed_ = true; }
  [[nodiscard]] MainView main_view() const noexcept { return main_view_; }
  [[nodiscard]] SideView side_view() const noexcept { return side_view_; }
  /// Fonts: `normal` and `large` (presenter); nullptr uses ImGui's default font.
  void set_fonts(ImFont* normal, ImFont* large) noexcept { font_ = normal; font_large_ = large; }

  [[nodiscard]] Playback& playback() noexcept { return playback_; }
  [[nodiscard]] const Loaded* loaded() const noexcept { return loaded_.get(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] const std::string& scenario() const noexcept { return scenario_; }
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] std::uint64_t selected_task() const noexcept { return selected_; }
  [[nodiscard]] bool quiz_mode() const noexcept { return quiz_mode_; }
  void set_quiz_mode(bool on);
  /// The quiz waiting for an answer at the current position, if any.
  [[nodiscard]] int active_quiz() const noexcept;
  /// The quiz answered most recently whose decisive event has been played since (the quiz
  /// panel keeps its verdict and explanation on screen until the next question), or -1.
  [[nodiscard]] int recent_quiz() const noexcept;
  [[nodiscard]] std::size_t quiz_count() const noexcept { return quizzes_.size(); }
  [[nodiscard]] const std::vector<QuizView>& quizzes() const noexcept { return quizzes_; }
  /// Turns quiz mode on and pauses before quiz `index` (0-based), settled, so that it is the
  /// active_quiz(). False when there is no such quiz.
  bool goto_quiz(std::size_t index);

  /// "You are the scheduler": what the last start/pick/undo said went wrong ("" when fine),
  /// e.g. a pick of a task that is not runnable.
  [[nodiscard]] const std::string& game_message() const noexcept { return game_message_; }
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  /// The running game (nullptr before sched_start).
  [[nodiscard]] const SchedulerGame* game() const noexcept { return game_.get(); }
#endif
  /// The task ids picked so far in the game (as `dojo viz --picks` takes them).
  [[nodiscard]] const std::vector<std::uint64_t>& game_picks() const noexcept { return game_picks_; }

  /// The snapshot shown this frame (valid after frame() or settle()).
  [[nodiscard]] const dojo::trace::Snapshot* snapshot() const noexcept { return snap_; }
  [[nodiscard]] const Palette& colors() const noexcept { return palette(high_contrast_); }
  /// Seeks the cursor to the playback's display position (done by frame()).
  void sync_cursor();

  // Per-view state, used by the views.
  View2D pipeline_view, context_view;
  TimelineView timeline_view;
  std::uint64_t hovered_task = 0;
  std::uint64_t seed_input = 1;

 private:
  friend struct Views;
  void draw_main();
  void draw_side();
  void draw_error_banner();
  void rebuild_quizzes();
  /// Lays the trace out with the normal font's metrics once they are known (the font atlas
  /// is built); before that with estimated widths.
  void ensure_layout();
  void reload_from_game();

  std::unique_ptr<Loaded> loaded_;
  Playback playback_;
  const dojo::trace::Snapshot* snap_ = nullptr;
  std::string error_;
  std::string scenario_;
  std::uint64_t seed_ = 1;
  std::string replay_;
  std::uint64_t selected_ = 0;
  bool presenter_ = false, high_contrast_ = false;
  MainView main_view_ = MainView::pipeline;
  SideView side_view_ = SideView::details;
  bool main_view_changed_ = true, side_view_changed_ = true;
  ImFont* font_ = nullptr;
  ImFont* font_large_ = nullptr;
  std::vector<Intent> intents_, last_intents_;

  // "What happens next?"
  bool quiz_mode_ = false;
  std::vector<QuizView> quizzes_;
  std::size_t quiz_score_ = 0, quiz_answered_ = 0;

  // "You are the scheduler"
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  std::unique_ptr<SchedulerGame> game_;
#endif
  std::string game_message_;
  std::vector<std::uint64_t> game_picks_;
  std::string temp_dir_;
};

}  // namespace dojo::viz::app
