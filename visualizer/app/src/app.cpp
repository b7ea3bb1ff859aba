#include "app.hpp"

#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <filesystem>

#include <fmt/format.h>
#include <imgui.h>

#include "views.hpp"

namespace dojo::viz::app {

namespace fs = std::filesystem;

bool parse_view(const std::string& n, std::optional<MainView>& main, std::optional<SideView>& side) {
  if (n == "pipeline") main = MainView::pipeline;
  else if (n == "contexts" || n == "context") main = MainView::contexts;
  else if (n == "timeline") main = MainView::timeline;
  else if (n == "details") side = SideView::details;
  else if (n == "errors") side = SideView::errors;
  else if (n == "leaks" || n == "deadlock") side = SideView::leaks;
  else if (n == "gallery") side = SideView::gallery;
  else if (n == "quiz" || n == "next") side = SideView::quiz;
  else if (n == "scheduler") side = SideView::scheduler;
  else return false;
  return true;
}

Loaded::Loaded(dojo::trace::Trace t, std::string src)
    : trace(std::move(t)),
      source(std::move(src)),
      cursor(trace),
      timeline(trace),
      anim(trace) {
  names.load(trace);
}

void Loaded::lay_out(const TextWidth& width, float font_px) {
  layout = layout_pipeline(trace, width);
  contexts = layout_contexts(trace, width);
  layout_px = font_px;
  measured = static_cast<bool>(width);
}

void App::ensure_layout() {
  if (!loaded_) return;
  ImFont* f = font_;
  if (ImGui::GetCurrentContext() == nullptr || !ImGui::GetIO().Fonts->IsBuilt()) f = nullptr;
  else if (f == nullptr) f = ImGui::GetIO().Fonts->Fonts.empty() ? nullptr : ImGui::GetIO().Fonts->Fonts[0];
  const float px = f != nullptr ? f->FontSize : kCharW * 2;  // the estimate: 8 units a character at 16 px
  if (loaded_->layout_px == px && loaded_->measured == (f != nullptr)) return;
  TextWidth w;
  if (f != nullptr)
    w = [f](std::string_view s) { return f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, s.data(), s.data() + s.size()).x; };
  loaded_->lay_out(w, px);
  pipeline_view.fitted = false;
  context_view.fitted = false;
}

App::App() {
  temp_dir_ = (fs::temp_directory_path() / fmt::format("dojo-viz-{}", ::getpid())).string();
}

App::~App() {
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  game_.reset();
#endif
  std::error_code ec;
  fs::remove_all(temp_dir_, ec);
}

bool App::open_trace_file(const std::string& path) {
  try {
    open_trace(dojo::trace::read_trace_file(path), path);
    scenario_.clear();
    return true;
  } catch (const dojo::trace::ReadError& e) {
    error_ = e.what();
  } catch (const std::exception& e) {
    error_ = fmt::format("{}: {}", path, e.what());
  }
  return false;
}

void App::open_trace(dojo::trace::Trace t, std::string source) {
  loaded_ = std::make_unique<Loaded>(std::move(t), std::move(source));
  playback_ = Playback(loaded_->trace.events.size());
  snap_ = nullptr;
  error_.clear();
  selected_ = 0;
  hovered_task = 0;
  pipeline_view.fitted = false;
  context_view.fitted = false;
  timeline_view.px = 0;
  ensure_layout();
  rebuild_quizzes();
  sync_cursor();
}

std::vector<std::string> App::scenario_names() {
  std::vector<std::string> out;
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  for (const auto& s : dojo::viz::scenarios()) out.push_back(s.name);
#endif
  return out;
}

bool App::open_scenario(const std::string& name, std::optional<std::uint64_t> seed, const std::string& replay) {
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  const Scenario* s = find_scenario(name);
  if (s == nullptr) {
    error_ = fmt::format("unknown scenario '{}' (dojo viz --list shows them)", name);
    return false;
  }
  std::error_code ec;
  fs::create_directories(temp_dir_, ec);
  const std::uint64_t sd = seed.value_or(s->seed);
  const std::string path = (fs::path(temp_dir_) / fmt::format("{}.{}.jsonl", name, sd)).string();
  try {
    Run run = run_scenario(*s, sd, path, replay);
    auto t = dojo::trace::read_trace_file(run.trace_path);
    open_trace(std::move(t), fmt::format("scenario {} (seed {}{})", name, sd, replay.empty() ? "" : ", replay"));
  } catch (const std::exception& e) {
    error_ = fmt::format("scenario {}: {}", name, e.what());
    return false;
  }
  scenario_ = name;
  seed_ = sd;
  seed_input = sd;
  replay_ = replay;
  game_.reset();
  return true;
#else
  (void)seed;
  (void)replay;
  error_ = fmt::format("scenario '{}': the built-in scenarios are not part of this build", name);
  return false;
#endif
}

void App::rebuild_quizzes() {
  quizzes_.clear();
  quiz_score_ = quiz_answered_ = 0;
  playback_.clear_stops();
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  if (loaded_) {
    for (auto& q : make_quizzes(loaded_->trace))
      quizzes_.push_back({q.pause_at, q.question, q.choices, q.answer, q.explanation, std::nullopt});
  }
#endif
  if (quiz_mode_)
    for (const auto& q : quizzes_) playback_.add_stop(q.pause_at);
}

void App::set_quiz_mode(bool on) {
  quiz_mode_ = on;
  rebuild_quizzes();
}

int App::active_quiz() const noexcept {
  if (!quiz_mode_ || !playback_.settled()) return -1;
  const double g = playback_.goal();
  for (std::size_t i = 0; i < quizzes_.size(); ++i)
    if (static_cast<double>(quizzes_[i].pause_at) == g) return static_cast<int>(i);
  return -1;
}

int App::recent_quiz() const noexcept {
  if (!quiz_mode_) return -1;
  const std::size_t shown = playback_.shown();
  int best = -1;
  for (std::size_t i = 0; i < quizzes_.size(); ++i) {
    if (quizzes_[i].pause_at >= shown) break;  // quizzes are in event order
    best = quizzes_[i].picked ? static_cast<int>(i) : -1;
  }
  return best;
}

bool App::goto_quiz(std::size_t index) {
  if (!quiz_mode_) set_quiz_mode(true);
  if (index >= quizzes_.size()) return false;
  playback_.pause();
  playback_.seek(quizzes_[index].pause_at);
  playback_.settle();
  sync_cursor();
  return active_quiz() == static_cast<int>(index);
}

void App::sync_cursor() {
  if (!loaded_) {
    snap_ = nullptr;
    return;
  }
  snap_ = &loaded_->cursor.seek(playback_.shown());
}

void App::reload_from_game() {
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  if (!game_) return;
  try {
    auto t = dojo::trace::read_trace_file(game_->trace_path());
    open_trace(std::move(t), fmt::format("scheduler game: {} (seed {}, {} picks)", scenario_, seed_, game_->decisions()));
    playback_.seek(game_->finished() ? playback_.size() : game_->events_at_decision());
    playback_.settle();
    sync_cursor();
  } catch (const std::exception& e) {
    error_ = e.what();
  }
#endif
}

void App::apply(const Intent& i) {
  using K = Intent::Kind;
  switch (i.kind) {
    case K::play_toggle: playback_.toggle(); break;
    case K::step_next: playback_.step_next(); break;
    case K::step_prev: playback_.step_prev(); break;
    case K::step_task:
      if (loaded_) playback_.step_task(loaded_->trace, i.id);
      break;
    case K::seek:
      playback_.pause();
      playback_.seek(static_cast<std::size_t>(std::max(0.0, i.value)));
      break;
    case K::set_speed: playback_.set_speed(i.value); break;
    case K::select_task: selected_ = i.id; break;
    case K::open_scenario: open_scenario(i.name, i.id); break;
    case K::rerun_new_seed:
      if (!scenario_.empty()) open_scenario(scenario_, seed_ + 1);
      break;
    case K::toggle_presenter: presenter_ = !presenter_; break;
    case K::toggle_contrast: high_contrast_ = !high_contrast_; break;
    case K::toggle_quiz_mode: set_quiz_mode(!quiz_mode_); break;
    case K::quiz_answer: {
      const int q = active_quiz();
      if (q >= 0 && !quizzes_[static_cast<std::size_t>(q)].picked &&
          i.id < quizzes_[static_cast<std::size_t>(q)].choices.size()) {
        auto& qs = quizzes_[static_cast<std::size_t>(q)];
        qs.picked = static_cast<std::size_t>(i.id);
        ++quiz_answered_;
        if (qs.picked == qs.answer) ++quiz_score_;
      }
      break;
    }
    case K::quiz_continue:
      // Play the decisive event, then keep playing to the next question.
      playback_.step_next();
      playback_.play();
      break;
#ifdef DOJO_VIZ_HAVE_SCENARIOS
    case K::sched_start: {
      const Scenario* s = find_scenario(scenario_);
      if (s == nullptr) {
        game_message_ = "open a built-in scenario first (Gallery)";
        break;
      }
      std::error_code ec;
      fs::create_directories(temp_dir_, ec);
      try {
        game_ = std::make_unique<SchedulerGame>(*s, seed_, (fs::path(temp_dir_) / (scenario_ + ".game.jsonl")).string());
        game_message_.clear();
        game_picks_.clear();
        reload_from_game();
      } catch (const std::exception& e) {
        game_message_ = e.what();
      }
      break;
    }
    case K::sched_pick:
      if (game_ && !game_->finished()) {
        try {
          game_->pick(i.id);
          game_message_.clear();
          game_picks_.push_back(i.id);
        } catch (const std::exception& e) {
          game_message_ = e.what();  // not runnable at this decision: the game is unchanged
          break;
        }
        reload_from_game();
      }
      break;
    case K::sched_undo:
      if (game_ && game_->undo()) {
        if (!game_picks_.empty()) game_picks_.pop_back();
        reload_from_game();
      }
      break;
    case K::sched_stop:
      game_.reset();
      game_picks_.clear();
      break;
#else
    case K::sched_start:
    case K::sched_pick:
    case K::sched_undo:
    case K::sched_stop: game_message_ = "the built-in scenarios are not part of this build"; break;
#endif
    case K::show_main: set_main_view(static_cast<MainView>(i.id)); break;
    case K::show_side: set_side_view(static_cast<SideView>(i.id)); break;
    case K::fit_view:
      pipeline_view.fitted = false;
      context_view.fitted = false;
      timeline_view.px = 0;
      break;
  }
}

void App::frame(double dt) {
  ensure_layout();
  playback_.tick(dt);
  sync_cursor();
  ImFont* f = presenter_ && font_large_ ? font_large_ : font_;
  if (f != nullptr) ImGui::PushFont(f);
  ImGui::GetIO().FontGlobalScale = presenter_ && font_large_ == nullptr ? 1.4f : 1.0f;

  const Palette& pal = colors();
  ImGuiStyle& st = ImGui::GetStyle();
  // The window's background is the clear colour (Window::render clears with WindowBg's RGB):
  // with alpha 0 ImGui adds no window-sized rectangles, which a software renderer would fill.
  ImVec4 bg = ImGui::ColorConvertU32ToFloat4(pal.background);
  bg.w = 0;
  st.Colors[ImGuiCol_WindowBg] = bg;
  st.Colors[ImGuiCol_ChildBg] = bg;
  st.Colors[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(pal.text);

  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0);
  ImGui::Begin("dojo-viz", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PopStyleVar();
  Views::toolbar(*this);
  draw_error_banner();
  // The side panel: about a third of the window, wide enough for its tabs in the font in use.
  const float side_w = std::max(ImGui::GetFontSize() * 22, ImGui::GetContentRegionAvail().x * 0.31f);
  ImGui::BeginChild("main", ImVec2(ImGui::GetContentRegionAvail().x - side_w - 8, 0), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  draw_main();
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("side", ImVec2(0, 0), false);
  draw_side();
  ImGui::EndChild();
  ImGui::End();
  if (f != nullptr) ImGui::PopFont();

  last_intents_ = intents_;
  auto todo = std::move(intents_);
  intents_.clear();
  for (const auto& i : todo) apply(i);
  if (!todo.empty()) sync_cursor();
}

void App::draw_error_banner() {
  if (error_.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colors().closed));
  ImGui::TextWrapped("Error: %s", error_.c_str());
  ImGui::PopStyleColor();
}

void App::draw_main() {
  if (ImGui::BeginTabBar("views")) {
    const struct {
      const char* name;
      MainView v;
    } tabs[] = {{"Pipeline", MainView::pipeline}, {"Context tree", MainView::contexts}, {"Timeline", MainView::timeline}};
    for (const auto& t : tabs) {
      const ImGuiTabItemFlags fl = main_view_changed_ && main_view_ == t.v ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(t.name, nullptr, fl)) {
        if (!main_view_changed_) main_view_ = t.v;
        if (!loaded_) {
          ImGui::TextWrapped("No trace loaded. Pick a scenario in the Gallery, or run: dojo viz TRACE");
        } else {
          switch (t.v) {
            case MainView::pipeline: Views::pipeline(*this); break;
            case MainView::contexts: Views::contexts(*this); break;
            case MainView::timeline: Views::timeline(*this); break;
          }
        }
        ImGui::EndTabItem();
      }
    }
    main_view_changed_ = false;
    ImGui::EndTabBar();
  }
}

void App::draw_side() {
  if (ImGui::BeginTabBar("panels", ImGuiTabBarFlags_FittingPolicyScroll)) {
    const struct {
      const char* name;
      SideView v;
    } tabs[] = {{"Details", SideView::details}, {"Errors", SideView::errors},   {"Leaks", SideView::leaks},
                {"Gallery", SideView::gallery}, {"Next?", SideView::quiz}, {"Scheduler", SideView::scheduler}};
    for (const auto& t : tabs) {
      const ImGuiTabItemFlags fl = side_view_changed_ && side_view_ == t.v ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(t.name, nullptr, fl)) {
        if (!side_view_changed_) side_view_ = t.v;
        ImGui::BeginChild("panel");
        switch (t.v) {
          case SideView::details: Views::details(*this); break;
          case SideView::errors: Views::errors(*this); break;
          case SideView::leaks: Views::leaks(*this); break;
          case SideView::gallery: Views::gallery(*this); break;
          case SideView::quiz: Views::quiz(*this); break;
          case SideView::scheduler: Views::scheduler(*this); break;
        }
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
    }
    side_view_changed_ = false;
    ImGui::EndTabBar();
  }
}

}  // namespace dojo::viz::app
