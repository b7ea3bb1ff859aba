// production 3: tasks write errs[i] without a mutex, each its own index. Why is that safe,
// and what does the caller end up with?
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"

namespace production_3 {

void run(dojo::interview::Out& out) {
  const goro::Error invalid = goro::new_error("missing sku");
  const std::vector<std::string> items{"a-1", "", "c-3", "", "e-5"};
  std::vector<goro::Error> errs(items.size());  // sized before any task starts
  goro::WaitGroup wg;
  for (std::size_t i = 0; i < items.size(); ++i) {
    wg.go([i, &items, &errs, invalid] {
      if (items[i].empty()) errs[i] = goro::errorf("item {}: {:w}", i, invalid);
    });
  }
  wg.wait();  // every write above happens before this returns
  const goro::Error joined = goro::join(errs);  // nil entries are dropped
  std::string text = joined.message();
  for (auto at = text.find('\n'); at != std::string::npos; at = text.find('\n')) text.replace(at, 1, " / ");
  out.line("joined: {}", text);
  out.line("is(joined, missing sku): {}", goro::is(joined, invalid));
}

}  // namespace production_3

DOJO_PROGRAM("production-3", production_3::run);
