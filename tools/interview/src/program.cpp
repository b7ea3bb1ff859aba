// The runner behind `./dojo interview --run ID` and the bank's consistency test.
#include "dojo/interview/program.hpp"

#include <algorithm>
#include <exception>
#include <map>

#include "goro/sim.hpp"

namespace dojo::interview {

void Out::add(std::string text) {
  std::lock_guard lock(mu_);
  lines_.push_back(std::move(text));
}

std::string Out::text() const {
  std::lock_guard lock(mu_);
  std::string s;
  for (const auto& l : lines_) {
    if (!s.empty()) s += " | ";
    s += l;
  }
  return s;
}

namespace {
std::vector<Program>& registry() {
  static std::vector<Program> all;
  return all;
}

std::string ending(const goro::SimResult& r) {
  using O = goro::SimResult::Outcome;
  switch (r.outcome) {
    case O::ok: return "";
    case O::deadlock: return "[deadlock]";
    case O::leak: return "[leak]";
    case O::panic: return "[panic: " + r.panic_value + "]";
    case O::step_limit: return "[step limit]";
  }
  return "[?]";
}
}  // namespace

detail::Registrar::Registrar(const char* id, ProgramFn fn, Modes modes) {
  auto& all = registry();
  all.push_back(Program{id, fn, modes});
  std::sort(all.begin(), all.end(), [](const Program& a, const Program& b) { return std::string(a.id) < b.id; });
}

const std::vector<Program>& programs() { return registry(); }

const Program* find_program(const std::string& id) {
  for (const auto& p : registry())
    if (id == p.id) return &p;
  return nullptr;
}

Observation observe(const Program& p, int seeds, bool real) {
  Observation obs;
  std::map<std::string, std::size_t> index;
  for (int seed = 1; seed <= seeds; ++seed) {
    Out out;
    goro::SimOptions o;
    o.seed = static_cast<std::uint64_t>(seed);
    o.max_steps = 1'000'000;
    const goro::SimResult r = goro::simulate(o, [&] { p.fn(out); });
    std::string text = out.text();
    if (std::string end = ending(r); !end.empty()) text += text.empty() ? end : " | " + end;
    auto [it, fresh] = index.try_emplace(text, obs.outcomes.size());
    if (fresh) obs.outcomes.push_back(Outcome{text, 0, o.seed});
    ++obs.outcomes[it->second].seeds;
    ++obs.schedules;
  }
  if (real && p.modes == Modes::both) {
    Out out;
    try {
      p.fn(out);
      obs.real = out.text();
    } catch (const std::exception& e) {
      obs.real = out.text() + (out.text().empty() ? "" : " | ") + "[exception: " + e.what() + "]";
    }
    obs.real_ran = true;
  }
  return obs;
}

}  // namespace dojo::interview
