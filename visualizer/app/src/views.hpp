// The ImGui views. Each draws part of App's model and pushes Intents; none changes App.
#pragma once

#include <imgui.h>
#include <imgui_internal.h>

#include <string>
#include <string_view>

#include "app.hpp"

namespace dojo::viz::app {

struct Views {
  static void pipeline(App& app);
  static void contexts(App& app);
  static void timeline(App& app);
  static void details(App& app);
  static void errors(App& app);
  static void leaks(App& app);
  static void gallery(App& app);
  static void quiz(App& app);
  static void scheduler(App& app);
  static void legend(App& app);
  static void toolbar(App& app);

  // Access for the views (App's private state, read-only by convention).
  static const std::vector<App::QuizView>& quizzes(const App& a) { return a.quizzes_; }
  static std::size_t quiz_score(const App& a) { return a.quiz_score_; }
  static std::size_t quiz_answered(const App& a) { return a.quiz_answered_; }
  static const std::string& game_message(const App& a) { return a.game_message_; }
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  static const SchedulerGame* game(const App& a) { return a.game_.get(); }
#endif
  static bool high_contrast(const App& a) { return a.high_contrast_; }
  static const std::string& replay(const App& a) { return a.replay_; }
};

// ---- drawing helpers (draw.cpp) ----------------------------------------------------------------

/// Pixels per world unit and the canvas origin of a View2D.
struct Xform {
  ImVec2 origin;
  float zoom = 1;
  float pan_x = 0, pan_y = 0;
  [[nodiscard]] ImVec2 operator()(float x, float y) const {
    return {origin.x + (x - pan_x) * zoom, origin.y + (y - pan_y) * zoom};
  }
  [[nodiscard]] ImVec2 operator()(Point p) const { return (*this)(p.x, p.y); }
};

/// Begins a canvas filling the available region: handles fit, wheel zoom and drag pan for `v`
/// over `bounds`; returns the transform. `hovered` tells whether the mouse is over it.
Xform canvas_2d(const char* id, View2D& v, const Box& bounds, ImVec2& size, bool& hovered);

/// The size of text drawn on a canvas at `zoom`: the font the layout was measured with, scaled
/// by the zoom (so it fits the boxes sized for it), never larger than the UI font.
[[nodiscard]] float canvas_text_px(const Loaded& l, float zoom);
/// Canvas text smaller than this is not drawn (unreadable, and costly with many nodes).
inline constexpr float kMinCanvasTextPx = 6.5f;

/// Draws `text` at `pos` in a `px`-pixel font, cut to at most `max_w` pixels with "..." when
/// it is longer. Returns whether it was cut (the caller shows the whole text on hover).
bool draw_text_fit(ImDrawList* dl, ImVec2 pos, float px, ImU32 col, std::string_view text, float max_w);

/// A filled rounded box with a state tag and label, for tasks; text in `text_px` pixels
/// (none below kMinCanvasTextPx).
void draw_task_box(ImDrawList* dl, ImVec2 a, ImVec2 b, VisState s, const Palette& pal, float alpha,
                   const std::string& label, bool selected, float zoom, double time_s, float text_px);

/// A small coloured chip with the state's tag (legends, lists).
void state_chip(VisState s, const Palette& pal);

/// Text colour readable on `bg`.
[[nodiscard]] ImU32 text_on(ImU32 bg);

/// "error tree" lines with prefixes, in a monospace-looking layout.
void error_tree(const dojo::trace::ErrorTree& e, const Palette& pal);

/// One line describing an event ("g3 producer: send 4 on `nums`").
[[nodiscard]] std::string describe_event(const Loaded& l, std::size_t index);

}  // namespace dojo::viz::app
