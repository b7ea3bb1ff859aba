// Visible examples for exercise 28. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a key-value store keeps every key on five replicas. A read asks all five and is
// good once three of them have answered.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "grader.hpp"
#include "quorum.hpp"

using dojo::ex28::ErrNoQuorum;
using dojo::ex28::quorum;
using dojo::ex28::Replica;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrDiskFull = goro::new_error("disk full");
const goro::Error ErrStale = goro::new_error("replica is behind: stale read");
const goro::Error ErrTimeout = goro::new_error("i/o timeout");

// A replica that answers "v7 from <name>" (or fails with `fails`) after `ms` milliseconds on the
// virtual clock (a hundredth of that on real threads), unless its context is cancelled first.
// (On real threads a busy machine may reorder moments that close: there the examples do not
// depend on which replica answers first.)
Replica replica(std::string name, int ms, goro::Error fails, bool virt) {
  return [name, ms, fails, virt](const goro::Context& ctx) -> goro::Result<std::string> {
    auto timer = goro::new_timer(virt ? goro::Duration(ms * 1ms) : goro::Duration(ms * 10us));
    if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
      timer.stop();
      return goro::errorf("replica {}: {:w}", name, ctx.err());
    }
    if (fails) return goro::errorf("replica {}: {:w}", name, fails);
    return "v7 from " + name;
  };
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

DOJO_CHECK("example: five replicas answer at different moments: the three fastest answers, in the order they came",
           "Call every replica at once; keep each success as it arrives; stop at the third.") {
  const bool virt = check.deterministic();
  std::vector<Replica> rs = {replica("a", 100, {}, virt), replica("b", 200, {}, virt), replica("c", 300, {}, virt),
                             replica("d", 400, {}, virt), replica("e", 500, {}, virt)};
  check.say("quorum(background, replicas a..e answering at +100ms, +200ms, ... +500ms, need 3)");
  auto r = quorum(goro::background(), rs, 3);
  check.expect_ok(r.error(), "quorum(...)");
  if (virt) {
    check.expect_eq(r.value(), std::vector<std::string>{"v7 from a", "v7 from b", "v7 from c"}, "the answers");
  } else {
    const std::vector<std::string> got = sorted(r.value());
    const std::vector<std::string> all = {"v7 from a", "v7 from b", "v7 from c", "v7 from d", "v7 from e"};
    check.expect(got.size() == 3 && std::adjacent_find(got.begin(), got.end()) == got.end() &&
                     std::includes(all.begin(), all.end(), got.begin(), got.end()),
                 "3 answers of 3 different replicas", fmt::format("the answers {}", r.value()),
                 "Stop at the third success: the answers that come later are not part of the result.");
  }
}

DOJO_CHECK("example: two replicas fail, the other three succeed: their three answers",
           "A failure does not count towards the quorum: keep its error and go on waiting for the others.") {
  const bool virt = check.deterministic();
  std::vector<Replica> rs = {replica("a", 100, ErrDiskFull, virt), replica("b", 200, {}, virt),
                             replica("c", 300, ErrStale, virt), replica("d", 400, {}, virt),
                             replica("e", 500, {}, virt)};
  check.say("quorum(background, replicas a..e where a and c fail, need 3)");
  auto r = quorum(goro::background(), rs, 3);
  check.expect_ok(r.error(), "quorum(...)", "Three replicas succeed: that is a quorum, whatever the other two did.");
  // An answer that no successful call gave: a failed call counted as one, its error dropped.
  const bool foreign = std::any_of(r.value().begin(), r.value().end(),
                                   [](const std::string& a) { return a != "v7 from b" && a != "v7 from d" && a != "v7 from e"; });
  check.expect_eq(sorted(r.value()), std::vector<std::string>{"v7 from b", "v7 from d", "v7 from e"},
                  "the answers (in any order)",
                  foreign ? dojo::grader::Why{mistake::swallowed_error,
                                              "A failed call gives an error to keep, not an answer: only a success "
                                              "counts towards the quorum."}
                          : dojo::grader::Why{});
}

DOJO_CHECK("example: three of five fail: no quorum, and the error holds every failure",
           "Once three have failed, three successes are out of reach: return ErrNoQuorum, wrapped with {:w}, "
           "together with goro::join of every failure.") {
  const bool virt = check.deterministic();
  std::vector<Replica> rs = {replica("a", 100, ErrDiskFull, virt), replica("b", 200, {}, virt),
                             replica("c", 300, ErrStale, virt), replica("d", 400, ErrTimeout, virt),
                             replica("e", 500, {}, virt)};
  check.say("quorum(background, replicas a..e where a, c and d fail, need 3)");
  auto r = quorum(goro::background(), rs, 3);
  check.expect_is(r.error(), ErrNoQuorum, "ErrNoQuorum");
  check.expect_is(r.error(), ErrDiskFull, "ErrDiskFull (replica a)");
  check.expect_is(r.error(), ErrStale, "ErrStale (replica c)");
  check.expect_is(r.error(), ErrTimeout, "ErrTimeout (replica d)");
}
