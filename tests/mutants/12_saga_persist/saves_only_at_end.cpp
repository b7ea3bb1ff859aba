// Mutant of exercise 12: the saga keeps its progress in memory and writes the state file once,
// when it has finished. Killed at any moment before that, the restart finds nothing and runs
// every step again with new keys: the customer is charged twice.
// mistake: duplicate
// expect: took effect 2 times
#include "saga_persist.hpp"

#include <string>
#include <vector>

#include "db.hpp"

namespace dojo::ex12 {

goro::Error run_saga(const goro::Context& ctx, const std::string& state_path, const std::vector<Step>& steps,
                     const NewKey& new_key) {
  auto opened = Db::open(state_path);
  if (!opened) return goro::errorf("{:w}: {}: {}", ErrBadState, state_path, opened.error().message());
  Db& db = opened.value();
  if (auto err = db.exec("CREATE TABLE IF NOT EXISTS saga (id INTEGER PRIMARY KEY, phase TEXT, failed_step TEXT, reason TEXT)"))
    return goro::errorf("{:w}: {}: {}", ErrBadState, state_path, err.message());
  auto saved = db.query("SELECT phase, failed_step, reason FROM saga WHERE id = 1");
  if (!saved) return goro::errorf("{:w}: {}: {}", ErrBadState, state_path, saved.error().message());
  if (!saved.value().empty()) {
    const Row& r = saved.value()[0];
    if (r[0] == "completed") return {};
    return goro::errorf("{:w}: step {}: {}", ErrRolledBack, r[1], r[2]);
  }
  std::vector<std::string> keys;  // in memory only
  goro::Error failure;
  std::string failed, reason;
  for (const Step& step : steps) {
    if (auto err = ctx.err()) return err;
    keys.push_back(new_key());
    if (goro::Error err = step.action(ctx, keys.back())) {
      failure = goro::errorf("step {}: {:w}", step.name, err);
      failed = step.name;
      reason = err.message();
      keys.pop_back();
      break;
    }
  }
  if (!failure) return db.exec("INSERT INTO saga VALUES (1, 'completed', '', '')");
  const goro::Context undo_ctx = goro::without_cancel(ctx);
  for (std::size_t i = keys.size(); i-- > 0;)
    if (steps[i].compensate) (void)steps[i].compensate(undo_ctx, keys[i]);
  (void)db.exec("INSERT INTO saga VALUES (1, 'rolled back', ?, ?)", {failed, reason});
  return goro::errorf("{:w}: {:w}", ErrRolledBack, failure);
}

}  // namespace dojo::ex12
