// senior quiz 9: a fast stage feeds a slow one (10 ms an item) over an unbuffered channel.
// What happens to the fast stage?
#include <chrono>
#include <cstddef>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"
#include "goro/time.hpp"

namespace senior_quiz_09 {

using namespace std::chrono_literals;

// Three items; returns when the fast stage finished sending and when the slow one finished.
void measure(dojo::interview::Out& out, std::size_t cap) {
  auto link = goro::make_chan<int>(cap);
  auto sent = goro::make_chan<goro::Duration>(1);
  const goro::Time start = goro::now();
  goro::go([link, sent, start] {  // fast stage: produces instantly
    for (int i = 0; i < 3; ++i) link.send(i);
    sent.send(goro::since(start));
    link.close();
  });
  for (int item : link) {  // slow stage
    (void)item;
    goro::sleep(10ms);
  }
  const goro::Duration fast_done = sent.recv().value;
  out.line("cap {}: fast stage done sending at {}, slow stage done at {}", cap,
           goro::format_duration(fast_done), goro::format_duration(goro::since(start)));
}

void run(dojo::interview::Out& out) {
  measure(out, 0);
  measure(out, 3);
}

}  // namespace senior_quiz_09

DOJO_PROGRAM("senior-quiz-09", senior_quiz_09::run, dojo::interview::Modes::simulation);
