// pipelines coding question: parallel_map(ctx, items, fn): results in input order, first error wins.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_coding {

inline const goro::Error ErrBadInput = goro::new_error("bad input");

template <class O, class I>
goro::Result<std::vector<O>> parallel_map(const goro::Context& parent, const std::vector<I>& items,
                                          std::function<goro::Result<O>(const goro::Context&, const I&)> fn) {
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  g.set_limit(static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
  std::vector<O> results(items.size());  // one slot per item: no lock, input order kept
  for (std::size_t i = 0; i < items.size(); ++i) {
    g.go([ctx = ctx, i, &items, &results, &fn]() -> goro::Error {
      auto r = fn(ctx, items[i]);
      if (!r.ok()) return goro::errorf("item {}: {:w}", i, r.error());
      results[i] = std::move(*r);
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;  // no partial results
  return results;
}

void run(dojo::interview::Out& out) {
  const std::vector<int> items{1, 2, 3, 4, 5, 6};
  // Later items finish first: the order of the results must not depend on it.
  std::function<goro::Result<int>(const goro::Context&, const int&)> square =
      [](const goro::Context&, const int& n) -> goro::Result<int> {
    goro::sleep((7 - n) * std::chrono::milliseconds(1));
    return n * n;
  };
  auto ok = parallel_map<int>(goro::background(), items, square);
  std::string text;
  if (ok.ok())
    for (int v : *ok) text += (text.empty() ? "" : " ") + std::to_string(v);
  out.line("squares: {}", ok.ok() ? text : ok.error().message());

  std::function<goro::Result<int>(const goro::Context&, const int&)> picky =
      [](const goro::Context& ctx, const int& n) -> goro::Result<int> {
    if (n == 4) return ErrBadInput;
    if (goro::Error err = ctx.err()) return err;  // already cancelled: do not start
    return n;
  };
  auto bad = parallel_map<int>(goro::background(), items, picky);
  out.line("with a bad item: {}; is(err, bad input) = {}", bad.ok() ? std::string("results") : bad.error().message(),
           goro::is(bad.error(), ErrBadInput));
}

}  // namespace pipelines_coding

DOJO_PROGRAM("pipelines-coding", pipelines_coding::run);
