// The views with ImGui's null backend (no window, no GPU): a click on a widget produces the
// intent it stands for, and App::apply carries it out. Also: every view draws for real traces.
#include <catch2/catch.hpp>

#include <imgui.h>
#include <imgui_internal.h>

#include <functional>

#include "app.hpp"
#include "dojo/viz/model/synth.hpp"
#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "goro/trace.hpp"

using namespace dojo::viz::app;

namespace {

/// An ImGui context without a backend: display size set, font atlas built.
class NullImGui {
 public:
  NullImGui() {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    io.DeltaTime = 1.0f / 60;
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // as the OpenGL 3 backend does
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  }
  ~NullImGui() { ImGui::DestroyContext(ctx_); }
  NullImGui(const NullImGui&) = delete;
  NullImGui& operator=(const NullImGui&) = delete;

  void frame(App& app, double dt = 1.0 / 60) {
    ImGui::NewFrame();
    app.frame(dt);
    ImGui::Render();
  }
  /// Clicks at `p`: mouse moves there, goes down for one frame, up the next.
  void click(App& app, ImVec2 p) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p;
    frame(app);
    io.MouseDown[0] = true;
    frame(app);
    io.MouseDown[0] = false;
    frame(app);
  }

 private:
  ImGuiContext* ctx_;
};

/// Records `f` under simulate(3) and reads the trace back.
dojo::trace::Trace record(std::function<void()> f) {
  const std::string path = "/tmp/dojo_viz_ui_test.jsonl";
  {
    goro::trace::Recording rec(path);
    (void)goro::simulate(3, std::move(f));
  }
  return dojo::trace::read_trace_file(path);
}

void small_pipeline() {
  auto nums = goro::make_chan<int>(2);
  goro::go_named("producer", [=] {
    for (int i = 0; i < 3; ++i) nums.send(i);
    nums.close();
  });
  for (int v : nums) (void)v;
  auto forgotten = goro::make_chan<int>();
  goro::go_named("forgotten", [=] { forgotten.send(1); });
}

/// The window-space rectangle of the widget whose ID is `id` in the toolbar, found by
/// scanning ImGui's per-window ID stack is not possible after the frame; instead we ask ImGui
/// for the hovered ID while moving the mouse over a grid until the wanted ID is hovered.
std::optional<ImVec2> locate(NullImGui& ui, App& app, ImGuiID want) {
  ImGuiIO& io = ImGui::GetIO();
  for (float y = 2; y < 120; y += 4)
    for (float x = 2; x < 1280; x += 6) {
      io.MousePos = ImVec2(x, y);
      ui.frame(app, 0);
      if (ImGui::GetCurrentContext()->HoveredIdPreviousFrame == want) return ImVec2(x, y);
    }
  return std::nullopt;
}

ImGuiID toolbar_id(const char* label) {
  ImGuiWindow* w = ImGui::FindWindowByName("dojo-viz");
  REQUIRE(w != nullptr);
  return w->GetID(label);
}

}  // namespace

TEST_CASE("clicking Step > asks for the next event and moves there", "[viz][ui]") {
  NullImGui ui;
  App app;
  app.open_trace(record(small_pipeline), "test");
  ui.frame(app);
  const auto at = locate(ui, app, toolbar_id("Step >"));
  REQUIRE(at.has_value());
  const auto before = app.playback().goal();
  ui.click(app, *at);
  // The click's frame pushed the intent; it was applied at the end of that frame.
  CHECK(app.playback().goal() == before + 1);
}

TEST_CASE("clicking Play toggles playback; Presenter toggles the setting", "[viz][ui]") {
  NullImGui ui;
  App app;
  app.open_trace(record(small_pipeline), "test");
  ui.frame(app);
  const auto play = locate(ui, app, toolbar_id("Play"));
  REQUIRE(play.has_value());
  ui.click(app, *play);
  CHECK(app.playback().playing());
  const auto presenter = locate(ui, app, toolbar_id("Presenter"));
  REQUIRE(presenter.has_value());
  ui.click(app, *presenter);
  CHECK(app.presenter());
}

TEST_CASE("intents are carried out by apply", "[viz][ui]") {
  App app;
  app.open_trace(record(small_pipeline), "test");
  app.apply({Intent::Kind::seek, 0, 5});
  app.playback().settle();
  CHECK(app.playback().shown() == 5);
  app.apply({Intent::Kind::select_task, 2});
  CHECK(app.selected_task() == 2);
  app.apply({Intent::Kind::step_task, 2});
  CHECK(app.playback().goal() > 5);
  app.apply({Intent::Kind::show_main, static_cast<std::uint64_t>(MainView::timeline)});
  CHECK(app.main_view() == MainView::timeline);
}

TEST_CASE("every view draws a recorded run and a large synthetic one", "[viz][ui]") {
  NullImGui ui;
  App app;
  app.open_trace(record(small_pipeline), "test");
  for (auto mv : {MainView::pipeline, MainView::contexts, MainView::timeline})
    for (auto sv : {SideView::details, SideView::errors, SideView::leaks, SideView::gallery, SideView::quiz,
                    SideView::scheduler}) {
      app.set_main_view(mv);
      app.set_side_view(sv);
      for (double f : {0.0, 0.5, 1.0}) {
        app.playback().seek_fraction(f);
        ui.frame(app);
        ui.frame(app);
      }
    }
  CHECK(ImGui::GetDrawData() != nullptr);
  CHECK(ImGui::GetDrawData()->TotalVtxCount > 100);
  app.open_trace(dojo::trace::read_trace_string(dojo::viz::synth_trace(200, 20000, 2)), "synthetic");
  for (auto mv : {MainView::pipeline, MainView::timeline}) {
    app.set_main_view(mv);
    app.playback().seek_fraction(0.5);
    ui.frame(app);
    ui.frame(app);
  }
  CHECK(ImGui::GetDrawData()->TotalVtxCount > 100);
}

TEST_CASE("a malformed trace file leaves an error naming the line", "[viz][ui]") {
  const std::string path = "/tmp/dojo_viz_ui_test_bad.jsonl";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(
        R"({"type":"meta","schema":"goro-trace","version":1,"mode":"deterministic","clock":"virtual","start_ns":0,"start":"x","producer":"t"})"
        "\n{\"seq\":1,\"ts\":0,\"type\":\"task_start\",\"task\":\"two\"}\n",
        f);
    std::fclose(f);
  }
  App app;
  CHECK_FALSE(app.open_trace_file(path));
  CHECK_THAT(app.error(), Catch::StartsWith(path + ":2: "));
  CHECK(app.loaded() == nullptr);
  NullImGui ui;
  ui.frame(app);  // draws the error banner without a trace
}

#ifdef DOJO_VIZ_HAVE_SCENARIOS
TEST_CASE("what happens next: paused before a question, answered, then played", "[viz][ui]") {
  NullImGui ui;
  App app;
  REQUIRE(app.open_scenario("missing_close"));
  REQUIRE(app.quiz_count() >= 2);
  CHECK_FALSE(app.goto_quiz(app.quiz_count()));  // no such question
  REQUIRE(app.goto_quiz(1));
  CHECK(app.quiz_mode());
  CHECK(app.active_quiz() == 1);
  CHECK(app.playback().shown() == app.quizzes()[1].pause_at);
  CHECK(app.recent_quiz() == -1);
  app.set_side_view(SideView::quiz);
  ui.frame(app);
  app.apply({Intent::Kind::quiz_answer, 99});  // not a choice: ignored
  CHECK_FALSE(app.quizzes()[1].picked.has_value());
  app.apply({Intent::Kind::quiz_answer, app.quizzes()[1].answer});
  REQUIRE(app.quizzes()[1].picked.has_value());
  // Played: the verdict stays on screen (recent_quiz) until the next question.
  app.playback().step_next();
  app.playback().settle();
  CHECK(app.active_quiz() == -1);
  CHECK(app.recent_quiz() == 1);
  ui.frame(app);
}

TEST_CASE("you are the scheduler: picks, a pick that is not runnable, undo", "[viz][ui]") {
  NullImGui ui;
  App app;
  REQUIRE(app.open_scenario("check_then_send"));
  app.set_side_view(SideView::scheduler);
  app.apply({Intent::Kind::sched_start});
  REQUIRE(app.game() != nullptr);
  REQUIRE_FALSE(app.game()->options().empty());
  app.apply({Intent::Kind::sched_pick, 987654});  // not runnable: reported, game unchanged
  CHECK_FALSE(app.game_message().empty());
  CHECK(app.game()->decisions() == 0);
  const auto first = app.game()->options().front().task;
  app.apply({Intent::Kind::sched_pick, first});
  CHECK(app.game_message().empty());
  CHECK(app.game()->decisions() == 1);
  CHECK(app.game_picks() == std::vector<std::uint64_t>{first});
  ui.frame(app);
  app.apply({Intent::Kind::sched_undo});
  CHECK(app.game()->decisions() == 0);
  CHECK(app.game_picks().empty());
  // Play to the end, always taking the last option: the panel shows the outcome and replay.
  while (!app.game()->finished()) app.apply({Intent::Kind::sched_pick, app.game()->options().back().task});
  CHECK_FALSE(app.game()->replay().empty());
  ui.frame(app);
}
#endif
