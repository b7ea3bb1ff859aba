// pipelines Q14: collect every error instead of stopping at the first.
#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q14 {

inline const goro::Error ErrInvalid = goro::new_error("invalid");

std::string list(const goro::Error& joined) {
  std::string text;
  for (const goro::Error& e : goro::unwrap_all(joined)) text += (text.empty() ? "" : "; ") + e.message();
  return text;
}

void run(dojo::interview::Out& out) {
  const std::vector<std::string> items{"a", "", "c", "", "e"};  // empty items are invalid

  // One slot per item: no lock needed, and the joined errors follow the input order.
  std::vector<goro::Error> slots(items.size());
  std::atomic<int> attempted{0};
  goro::ErrGroup g;
  for (std::size_t i = 0; i < items.size(); ++i) {
    g.go([i, &items, &slots, &attempted] {
      ++attempted;
      if (items[i].empty()) slots[i] = goro::errorf("item {}: {:w}", i, ErrInvalid);
      return goro::Error{};  // never fail the group: no fast-fail, no cancellation
    });
  }
  const goro::Error first = g.wait();
  const goro::Error all = goro::join(slots);
  out.line("wait returned {}; {} items attempted", first, attempted.load());
  out.line("slots joined: {}; is(all, invalid) = {}", list(all), goro::is(all, ErrInvalid));

  // Appending under a mutex works too, but the order is the order the failures happened.
  goro::Mutex mu;
  std::vector<goro::Error> appended;
  goro::ErrGroup h;
  for (std::size_t i = 0; i < items.size(); ++i) {
    h.go([i, &items, &mu, &appended] {
      if (items[i].empty()) {
        const std::lock_guard lk(mu);
        appended.push_back(goro::errorf("item {}: {:w}", i, ErrInvalid));
      }
      return goro::Error{};
    });
  }
  (void)h.wait();
  out.line("appended under a mutex: {}", list(goro::join(appended)));
}

}  // namespace pipelines_q14

DOJO_PROGRAM("pipelines-q14", pipelines_q14::run);
