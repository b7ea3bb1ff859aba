// errgroup Q5: the WaitGroup + error channel + drain loop, rewritten with a group.
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q05 {

goro::Error process(int item) {
  if (item == 3) return goro::errorf("item {}: bad item", item);
  return {};
}

goro::Error by_hand(const std::vector<int>& items) {
  goro::WaitGroup wg;
  auto errs = goro::make_chan<goro::Error>(items.size());
  for (int item : items) {
    wg.add(1);
    goro::go([&wg, errs, item] {
      if (goro::Error err = process(item)) errs.send(err);
      wg.done();
    });
  }
  wg.wait();
  errs.close();
  goro::Error first;
  for (const goro::Error& err : errs)
    if (!first) first = err;
  return first;
}

goro::Error by_group(const std::vector<int>& items) {
  goro::ErrGroup g;
  for (int item : items) g.go([item] { return process(item); });
  return g.wait();
}

void run(dojo::interview::Out& out) {
  const std::vector<int> good{1, 2, 4, 5};
  const std::vector<int> bad{1, 2, 3, 4, 5};
  out.line("good items: by hand {}, by group {}", by_hand(good), by_group(good));
  out.line("with item 3: by hand \"{}\", by group \"{}\"", by_hand(bad), by_group(bad));
}

}  // namespace errgroup_q05

DOJO_PROGRAM("errgroup-q05", errgroup_q05::run);
