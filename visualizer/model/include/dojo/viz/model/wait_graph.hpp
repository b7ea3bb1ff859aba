// Why nobody can wake a stuck task: the wait-for graph at the end of a run.
//
// For every task blocked in a snapshot, from what the trace recorded up to that point (which
// tasks sent on, received from and closed each channel, which tasks exited, returned an error or
// panicked, who holds a mutex):
//  - the MISSING PARTY when no live task could complete its operation: "nobody will ever
//    receive from `report` (chan std::string, cap 0): no other task is alive", "... its only
//    receiver g5 consumer exited at event 31", "nobody closes `lines`: its sender g2 reader
//    returned an error at event 14 without closing it";
//  - the wait-for CYCLE when the only tasks that could are stuck themselves: "g2 waits for g3
//    (receive on `a`), g3 waits for g2 (receive on `b`)";
//  - for an errgroup wait, the group's live tasks and what the stuck ones wait on.
// "Could complete" is judged from the past: a channel's possible partners are the tasks that
// used it the other way before (the trace cannot know who holds a channel). Event numbers are
// indexes into Trace::events, as in the rest of the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dojo/trace/reader.hpp"
#include "dojo/trace/state.hpp"
#include "dojo/viz/model/describe.hpp"

namespace dojo::viz {

struct StuckWhy {
  std::uint64_t task = 0;
  std::string text;                    ///< one or two sentences, as above
  std::vector<std::uint64_t> waits_for;  ///< live tasks that could complete its operation
  bool missing_party = false;          ///< no live task could
  bool cycle = false;                  ///< it is on a wait-for cycle of stuck tasks
};

/// Explains every task blocked in `s`, which must be state_after(t, n); history is events [0, n).
/// Keyed by task id. Pure: reads the trace and the snapshot only.
[[nodiscard]] std::map<std::uint64_t, StuckWhy> explain_stuck(const dojo::trace::Trace& t, std::size_t n,
                                                              const dojo::trace::Snapshot& s,
                                                              const ChannelNames& names);

}  // namespace dojo::viz
