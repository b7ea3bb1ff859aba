// Mutant of exercise 12: the step is saved as done before its action is called ("write ahead").
// An action that fails is then taken for a done step and compensated too, although it never
// took effect; and a process killed inside the action leaves a step marked done that never
// took effect: the restart skips it and reports a completed saga that never booked the courier.
// mistake: wrong-count
// expect: it was recorded as done before its action had run
#include "saga_persist.hpp"

#include <string>
#include <vector>

#include "db.hpp"

namespace dojo::ex12 {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS saga (id INTEGER PRIMARY KEY CHECK (id = 1), phase TEXT NOT NULL,"
    " failed_step TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS steps (idx INTEGER PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL,"
    " status TEXT NOT NULL);"
    "INSERT OR IGNORE INTO saga (id, phase) VALUES (1, 'forward');";

goro::Error bad_state(const std::string& path, const std::string& why) {
  return goro::errorf("{:w}: {}: {}", ErrBadState, path, why);
}

struct Saved {
  std::string key;     // "" until the step was reached
  std::string status;  // pending, done, undone
};

}  // namespace

goro::Error run_saga(const goro::Context& ctx, const std::string& state_path, const std::vector<Step>& steps,
                     const NewKey& new_key) {
  // 1. Open the state and read it back. Any problem here is ErrBadState, and the file is left
  //    alone: deleting it would forget which steps already took effect.
  auto opened = Db::open(state_path);
  if (!opened) return bad_state(state_path, opened.error().message());
  Db& db = opened.value();
  if (auto err = db.exec(kSchema)) return bad_state(state_path, err.message());
  auto saga = db.query("SELECT phase, failed_step, reason FROM saga WHERE id = 1");
  if (!saga || saga.value().size() != 1) return bad_state(state_path, "it has no saga record");
  std::string phase = saga.value()[0][0];
  std::string failed_step = saga.value()[0][1];
  std::string reason = saga.value()[0][2];
  if (phase != "forward" && phase != "rolling back" && phase != "completed" && phase != "rolled back")
    return bad_state(state_path, fmt::format("unknown phase '{}'", phase));

  auto rows = db.query("SELECT idx, name, key, status FROM steps ORDER BY idx");
  if (!rows) return bad_state(state_path, rows.error().message());
  std::vector<Saved> saved(steps.size());
  for (const Row& r : rows.value()) {
    const std::size_t i = std::stoul(r[0]);
    if (i >= steps.size() || r[1] != steps[i].name)
      return bad_state(state_path, fmt::format("it records step {} as '{}', which is not this saga's", i, r[1]));
    saved[i] = {r[2], r[3]};
  }

  if (phase == "completed") return {};
  goro::Error failure;  // the action's error, when it failed in this call

  // 2. Forward: each step not yet done, in order.
  if (phase == "forward") {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (saved[i].status == "done") continue;  // took effect in an earlier run
      if (auto err = ctx.err()) return goro::errorf("saga paused before step {}: {:w}", steps[i].name, err);
      if (saved[i].key.empty()) {
        // Save the key BEFORE the call: if we die during it, the next run reuses this key.
        saved[i] = {new_key(), "done"};
        if (auto err = db.exec("INSERT INTO steps (idx, name, key, status) VALUES (?, ?, ?, 'done')",
                               {std::to_string(i), steps[i].name, saved[i].key}))
          return err;
      }
      if (goro::Error err = steps[i].action(ctx, saved[i].key)) {
        failure = goro::errorf("step {}: {:w}", steps[i].name, err);
        failed_step = steps[i].name;
        reason = err.message();
        phase = "rolling back";
        if (auto e = db.exec("UPDATE saga SET phase = 'rolling back', failed_step = ?, reason = ? WHERE id = 1",
                             {failed_step, reason}))
          return goro::join(failure, e);
        break;
      }
      saved[i].status = "done";
      if (auto err = db.exec("UPDATE steps SET status = 'done' WHERE idx = ?", {std::to_string(i)})) return err;
    }
    if (phase == "forward") return db.exec("UPDATE saga SET phase = 'completed' WHERE id = 1");
  }

  // 3. Rollback (now or resumed): the done steps, newest first; the failed step stays pending.
  std::vector<goro::Error> errs{failure ? goro::errorf("{:w}: {:w}", ErrRolledBack, failure)
                                        : goro::errorf("{:w}: step {}: {}", ErrRolledBack, failed_step, reason)};
  if (phase == "rolling back") {
    const goro::Context undo_ctx = goro::without_cancel(ctx);
    bool all_undone = true;
    for (std::size_t i = steps.size(); i-- > 0;) {
      if (saved[i].status != "done") continue;
      if (steps[i].compensate) {
        if (goro::Error err = steps[i].compensate(undo_ctx, saved[i].key)) {
          errs.push_back(goro::errorf("compensate {}: {:w}", steps[i].name, err));
          all_undone = false;  // stays 'done': a later call tries again
          continue;
        }
      }
      if (auto err = db.exec("UPDATE steps SET status = 'undone' WHERE idx = ?", {std::to_string(i)}))
        return goro::join(errs[0], err);
    }
    if (all_undone) {
      if (auto err = db.exec("UPDATE saga SET phase = 'rolled back' WHERE id = 1")) errs.push_back(err);
    }
  }
  return errs.size() == 1 ? errs[0] : goro::join(errs);
}

}  // namespace dojo::ex12
