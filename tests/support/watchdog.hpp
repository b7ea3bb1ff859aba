// The test watchdog: a test case that makes no progress for too long fails with a report of
// every live goro task (where it was started, what it is blocked on and where) instead of
// hanging. The limit is DOJO_WATCHDOG_SECONDS (default 30).
#pragma once

#include <string>

namespace dojo::test {

/// Arms the watchdog for the named test case; disarm() stops it.
void arm(const std::string& test_name);
void disarm();

}  // namespace dojo::test
