// The Catch2 main shared by every test binary: runs each test case under the watchdog, which
// counts every assertion as progress.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support/watchdog.hpp"

namespace {

struct WatchdogListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override { dojo::test::arm(info.name); }
  void testCaseEnded(const Catch::TestCaseStats&) override { dojo::test::disarm(); }
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    dojo::test::note_assertion();
    return TestEventListenerBase::assertionEnded(stats);
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(WatchdogListener)

int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
