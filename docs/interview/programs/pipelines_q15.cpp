// pipelines Q15: compensating actions in a saga: which run, in which order, and what if one fails?
#include <functional>
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q15 {

struct Step {
  std::string name;
  std::function<goro::Error()> forward;
  std::function<goro::Error()> compensate;
};

goro::Error run_saga(dojo::interview::Out& out, const std::vector<Step>& steps) {
  std::vector<const Step*> completed;
  for (const Step& s : steps) {
    if (goro::Error err = s.forward()) {
      out.line("{} failed: {}", s.name, err);
      for (auto it = completed.rbegin(); it != completed.rend(); ++it) {  // newest first
        if (goro::Error cerr = (*it)->compensate())
          out.line("undo {} failed: {} (recorded for an operator; going on)", (*it)->name, cerr);
        else
          out.line("undid {}", (*it)->name);
      }
      return goro::errorf("saga step {}: {:w}", s.name, err);
    }
    out.line("did {}", s.name);
    completed.push_back(&s);
  }
  return {};
}

void run(dojo::interview::Out& out) {
  const goro::Error no_courier = goro::new_error("no courier available");
  const std::vector<Step> steps{
      {"reserve stock", [] { return goro::Error{}; }, [] { return goro::Error{}; }},
      {"charge card", [] { return goro::Error{}; }, [] { return goro::new_error("gateway timeout"); }},
      {"email receipt", [] { return goro::Error{}; }, [] { return goro::Error{}; }},
      {"book courier", [no_courier] { return no_courier; }, [] { return goro::Error{}; }},
  };
  const goro::Error err = run_saga(out, steps);
  out.line("saga returned: {}; is(err, no courier) = {}", err, goro::is(err, no_courier));
}

}  // namespace pipelines_q15

DOJO_PROGRAM("pipelines-q15", pipelines_q15::run);
