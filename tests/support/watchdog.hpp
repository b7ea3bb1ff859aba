// The test watchdog: a test case that makes no progress for too long fails with a report of
// every live goro task (where it was started, what it is blocked on and where) instead of
// hanging.
//
// It judges progress, not duration: a case may run as long as it keeps getting somewhere — a
// task blocks, wakes or exits, a deterministic scope takes a scheduling step, an assertion is
// evaluated (goro::detail::heartbeat() and note_assertion()). A case on a busy machine or
// under a sanitizer is slow, never stuck; only DOJO_WATCHDOG_SECONDS (default 30) of real time
// with none of those events fails it.
#pragma once

#include <string>

namespace dojo::test {

/// Arms the watchdog for the named test case; disarm() stops it.
void arm(const std::string& test_name);
void disarm();
/// Counts as progress (the Catch2 main calls it for every assertion).
void note_assertion() noexcept;

}  // namespace dojo::test
