// Side panels: details and legend, errors (wrap chains), leaks/deadlock, the scenario
// gallery, "What happens next?" and "You are the scheduler".
#include <algorithm>

#include <fmt/format.h>

#include "views.hpp"

namespace dojo::viz::app {

namespace {
ImVec4 col4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }
void heading(const App& app, const char* text) {
  ImGui::TextColored(col4(app.colors().highlight), "%s", text);
}
}  // namespace

void Views::legend(App& app) {
  const Palette& pal = app.colors();
  for (int i = 0; i < kVisStates; ++i) {
    const auto s = static_cast<VisState>(i);
    state_chip(s, pal);
    ImGui::SameLine();
    ImGui::TextUnformatted(std::string(state_name(s)).c_str());
  }
}

void Views::details(App& app) {
  const Loaded* l = app.loaded();
  if (!l) {
    ImGui::TextWrapped("Nothing loaded.");
    return;
  }
  const auto& s = *app.snapshot();
  const auto& m = l->trace.meta;
  heading(app, "Run");
  ImGui::TextWrapped("%s", l->source.c_str());
  ImGui::Text("%s mode, %s clock%s", m.mode.c_str(), m.clock.c_str(),
              m.seed ? fmt::format(", seed {}", *m.seed).c_str() : "");
  ImGui::Text("%zu tasks: %zu running, %zu blocked, %zu exited", s.tasks.size(),
              s.count(dojo::trace::TaskState::Phase::running), s.count(dojo::trace::TaskState::Phase::blocked),
              s.count(dojo::trace::TaskState::Phase::exited));
  if (s.outcome) ImGui::Text("outcome: %s", s.outcome->c_str());
  ImGui::Separator();
  heading(app, "Last event");
  ImGui::TextWrapped("%s", s.applied > 0 ? describe_event(*l, s.applied - 1).c_str() : "(start)");
  ImGui::Separator();
  const std::uint64_t shown = app.hovered_task != 0 ? app.hovered_task : app.selected_task();
  heading(app, app.hovered_task != 0 ? "Task (hovered)" : "Task (click one to select)");
  if (const auto* t = s.task(shown)) {
    state_chip(vis_state(*t), app.colors());
    ImGui::SameLine();
    ImGui::TextWrapped("%s", task_hover(*t, s, l->names).c_str());
    if (t->error) error_tree(*t->error, app.colors());
  } else {
    ImGui::TextDisabled("none");
  }
  ImGui::Separator();
  heading(app, "Legend");
  legend(app);
  ImGui::TextDisabled("Values: white dots (orange: held by a blocked sender).");
  ImGui::TextDisabled("Timeline marks: E error, P panic, C cancel, G group error,");
  ImGui::TextDisabled("T timer fired, X close, ! deadlock/leak report.");
}

void Views::errors(App& app) {
  const Loaded* l = app.loaded();
  if (!l) return;
  const auto errs = errors_until(l->trace, app.playback().shown());
  if (errs.empty()) {
    ImGui::TextWrapped("No error so far. Errors a task returns appear here as their wrap chain; "
                       "the one an errgroup's wait() returns is highlighted.");
    return;
  }
  const Palette& pal = app.colors();
  for (const auto& e : errs) {
    ImGui::PushID(static_cast<int>(e.event));
    const bool first = e.is_group_first || e.kind == ErrorEntry::Kind::group_first;
    if (first) ImGui::PushStyleColor(ImGuiCol_Text, col4(pal.highlight));
    ImGui::Text("#%zu %s%s", e.event, e.title.c_str(), e.is_group_first ? "  <- the error wait() returns" : "");
    if (first) ImGui::PopStyleColor();
    if (e.task != 0 && ImGui::IsItemClicked()) app.push({Intent::Kind::select_task, e.task});
    ImGui::Indent();
    error_tree(e.err, pal);
    ImGui::Unindent();
    ImGui::Separator();
    ImGui::PopID();
  }
}

void Views::leaks(App& app) {
  const Loaded* l = app.loaded();
  if (!l) return;
  const auto r = stuck_report(l->trace, app.playback().shown(), l->names);
  const auto& s = *app.snapshot();
  if (!r) {
    ImGui::TextWrapped("No deadlock or leak reported %s.", s.outcome ? "in this run" : "so far");
    const std::size_t blocked = s.count(dojo::trace::TaskState::Phase::blocked);
    if (blocked > 0) ImGui::TextWrapped("%zu task(s) blocked right now.", blocked);
    return;
  }
  const Palette& pal = app.colors();
  ImGui::PushStyleColor(ImGuiCol_Text, col4(pal.closed));
  ImGui::TextWrapped("%s: %zu task(s) stuck when the scope ended (event %zu)",
                     r->kind == "deadlock" ? "DEADLOCK" : r->kind == "leak" ? "LEAK" : r->kind.c_str(),
                     r->tasks.size(), r->event);
  ImGui::PopStyleColor();
  if (ImGui::BeginTable("stuck", 1, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH)) {
    for (const auto& t : r->tasks) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(t.task));
      if (ImGui::Selectable(t.label.c_str(), app.selected_task() == t.task))
        app.push({Intent::Kind::select_task, t.task});
      ImGui::TextWrapped("%s", t.what.c_str());
      if (!t.blocked_at.empty()) ImGui::Text("blocked at %s", t.blocked_at.c_str());
      if (!t.started.empty()) ImGui::Text("%s", t.started.c_str());
      if (!t.why.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, col4(pal.closed));
        ImGui::TextWrapped("why: %s", t.why.c_str());
        ImGui::PopStyleColor();
      }
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (ImGui::CollapsingHeader("The runtime's report")) ImGui::TextWrapped("%s", r->text.c_str());
}

void Views::gallery(App& app) {
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  ImGui::TextWrapped("Built-in scenarios run live in deterministic mode. Change the seed and re-run to see "
                     "another interleaving.");
  int seed = static_cast<int>(app.seed_input);
  ImGui::SetNextItemWidth(120);
  if (ImGui::InputInt("seed", &seed)) app.seed_input = static_cast<std::uint64_t>(std::max(0, seed));
  ImGui::SameLine();
  ImGui::BeginDisabled(app.scenario().empty());
  if (ImGui::Button("Re-run")) app.push({Intent::Kind::open_scenario, app.seed_input, 0, app.scenario()});
  ImGui::SameLine();
  if (ImGui::Button("New seed")) app.push({Intent::Kind::rerun_new_seed});
  ImGui::EndDisabled();
  ImGui::Separator();
  for (const auto& s : scenarios()) {
    ImGui::PushID(s.name.c_str());
    const bool current = s.name == app.scenario();
    if (ImGui::Selectable(s.title.c_str(), current))
      app.push({Intent::Kind::open_scenario, current ? app.seed_input : s.seed, 0, s.name});
    ImGui::TextDisabled("%s  %s", s.category.c_str(), s.name.c_str());
    if (current) ImGui::TextWrapped("%s", s.summary.c_str());
    ImGui::PopID();
  }
#else
  (void)app;
  ImGui::TextWrapped("The built-in scenarios are not part of this build.");
#endif
}

namespace {
/// One question: its text, the choices (after an answer: the right one green, a wrong pick
/// red), then the verdict and the explanation. Returns whether a choice was clicked: `choice`.
bool draw_question(const App::QuizView& cur, bool can_answer, const Palette& pal, std::size_t& choice) {
  bool clicked = false;
  ImGui::TextWrapped("%s", cur.question.c_str());
  const bool answered = cur.picked.has_value();
  for (std::size_t i = 0; i < cur.choices.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (answered && i == cur.answer) ImGui::PushStyleColor(ImGuiCol_Button, col4(pal.of(VisState::running)));
    else if (answered && cur.picked == i) ImGui::PushStyleColor(ImGuiCol_Button, col4(pal.closed));
    else ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_Button));
    if (answered && (i == cur.answer || cur.picked == i))
      ImGui::PushStyleColor(ImGuiCol_Text, col4(text_on(i == cur.answer ? pal.of(VisState::running) : pal.closed)));
    else ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_Text));
    // Long choices wrap: a button as wide as the panel, as tall as its wrapped text.
    const std::string text = fmt::format("{}. {}", static_cast<char>('A' + i), cur.choices[i]);
    const float w = ImGui::GetContentRegionAvail().x;
    const ImVec2 pad = ImGui::GetStyle().FramePadding;
    const ImVec2 sz = ImGui::CalcTextSize(text.c_str(), nullptr, false, w - 2 * pad.x);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    if (ImGui::Button("##choice", ImVec2(w, sz.y + 2 * pad.y)) && can_answer && !answered) {
      choice = i;
      clicked = true;
    }
    ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(at.x + pad.x, at.y + pad.y),
                                        ImGui::GetColorU32(ImGuiCol_Text), text.c_str(), nullptr, w - 2 * pad.x);
    ImGui::PopStyleColor(2);
    ImGui::PopID();
  }
  if (answered) {
    const bool right = cur.picked == cur.answer;
    ImGui::TextColored(col4(right ? pal.of(VisState::running) : pal.closed), "%s",
                       right ? "Right!" : fmt::format("Not quite: it is {}.", static_cast<char>('A' + cur.answer)).c_str());
    ImGui::TextWrapped("%s", cur.explanation.c_str());
  }
  return clicked;
}
}  // namespace

void Views::quiz(App& app) {
  ImGui::TextWrapped("What happens next? Playback pauses before each decisive event and asks you to predict it.");
  bool on = app.quiz_mode();
  if (ImGui::Checkbox("Ask me", &on)) app.push({Intent::Kind::toggle_quiz_mode});
  const auto& qs = quizzes(app);
  ImGui::SameLine();
  ImGui::TextDisabled("%zu question(s) in this run, %zu/%zu right", qs.size(), quiz_score(app), quiz_answered(app));
  if (!app.quiz_mode()) return;
  const Palette& pal = app.colors();
  const int q = app.active_quiz();
  ImGui::Separator();
  std::size_t choice = 0;
  if (q >= 0) {
    const auto& cur = qs[static_cast<std::size_t>(q)];
    ImGui::TextColored(col4(pal.highlight), "Question %d of %zu (before event %zu)", q + 1, qs.size(), cur.pause_at);
    if (draw_question(cur, true, pal, choice)) app.push({Intent::Kind::quiz_answer, choice});
    if (cur.picked && ImGui::Button("Play it")) app.push({Intent::Kind::quiz_continue});
    return;
  }
  const int r = app.recent_quiz();
  if (r >= 0) {  // just played: keep the verdict and the explanation next to what happened
    const auto& cur = qs[static_cast<std::size_t>(r)];
    ImGui::TextColored(col4(pal.highlight), "Question %d of %zu: event %zu has happened", r + 1, qs.size(), cur.pause_at);
    (void)draw_question(cur, false, pal, choice);
    ImGui::Separator();
  }
  ImGui::TextWrapped(app.playback().playing() ? "Playing to the next question..."
                                              : "Press Play: it stops at the next question.");
}

void Views::scheduler(App& app) {
  ImGui::TextWrapped("You are the scheduler: pick which runnable task goes next. Try to drive the buggy "
                     "pipeline into its leak or deadlock, then take the replay that reproduces it.");
#ifdef DOJO_VIZ_HAVE_SCENARIOS
  const SchedulerGame* g = game(app);
  if (!g) {
    ImGui::BeginDisabled(app.scenario().empty());
    if (ImGui::Button(app.scenario().empty() ? "Start (open a scenario first)"
                                             : fmt::format("Start with {} (seed {})", app.scenario(), app.seed()).c_str()))
      app.push({Intent::Kind::sched_start});
    ImGui::EndDisabled();
    if (!game_message(app).empty()) ImGui::TextWrapped("%s", game_message(app).c_str());
    return;
  }
  const Palette& pal = app.colors();
  std::string picks;
  for (std::uint64_t id : app.game_picks()) picks += fmt::format("{}{}", picks.empty() ? "" : ",", id);
  ImGui::Text("%zu pick(s) made", g->decisions());
  ImGui::SameLine();
  ImGui::BeginDisabled(g->decisions() == 0);
  if (ImGui::Button("Undo")) app.push({Intent::Kind::sched_undo});
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Stop")) app.push({Intent::Kind::sched_stop});
  if (!picks.empty()) ImGui::TextDisabled("your picks (task ids): %s", picks.c_str());
  if (!game_message(app).empty()) ImGui::TextColored(col4(pal.closed), "%s", game_message(app).c_str());
  ImGui::Separator();
  if (!g->finished()) {
    ImGui::TextColored(col4(pal.highlight), "Decision %zu: who runs next?", g->decisions() + 1);
    ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0, 0.5f));
    for (const auto& o : g->options()) {
      ImGui::PushID(static_cast<int>(o.task));
      if (ImGui::Button(fmt::format("g{} {}", o.task, o.name).c_str(), ImVec2(ImGui::GetContentRegionAvail().x, 0)))
        app.push({Intent::Kind::sched_pick, o.task});
      if (!o.where.empty()) {
        ImGui::Indent();
        ImGui::PushStyleColor(ImGuiCol_Text, col4(pal.dim_text));
        ImGui::TextWrapped("%s", o.where.c_str());
        ImGui::PopStyleColor();
        ImGui::Unindent();
      }
      ImGui::PopID();
    }
    ImGui::PopStyleVar();
    ImGui::TextDisabled("The views show the run up to this decision.");
  } else {
    const auto out = g->outcome();
    const bool bad = out != goro::SimResult::Outcome::ok;
    ImGui::TextColored(col4(bad ? pal.closed : pal.of(VisState::running)), "Outcome: %s%s", goro::outcome_name(out),
                       bad ? " - you found it!" : " - no bug this time: Undo and try another order");
    const std::string cmd = fmt::format("./dojo viz --scenario {} --replay '{}'", app.scenario(), g->replay());
    ImGui::TextUnformatted("This replay reproduces your run:");
    ImGui::PushStyleColor(ImGuiCol_Text, col4(pal.highlight));
    ImGui::TextWrapped("%s", cmd.c_str());
    ImGui::PopStyleColor();
    if (ImGui::Button("Copy the command")) ImGui::SetClipboardText(cmd.c_str());
    if (!g->report().empty()) {
      ImGui::Separator();
      ImGui::TextWrapped("%s", g->report().c_str());
    }
  }
#else
  (void)app;
#endif
}

}  // namespace dojo::viz::app
