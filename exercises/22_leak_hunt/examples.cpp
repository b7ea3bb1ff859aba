// Visible examples for exercise 22. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// Every call goes through probe::call_search (leak_probe.hpp): after search returns it fails the
// check if a task that search started is still alive, and says which one, where it was started
// and where it is blocked.
#include <algorithm>
#include <string>
#include <vector>

#include "grader.hpp"
#include "leak_hunt.hpp"
#include "leak_probe.hpp"

using dojo::ex22::Doc;
using dojo::ex22::Match;
using dojo::ex22::probe::call_search;
using dojo::ex22::probe::Request;

namespace {

const goro::Error ErrMalformed = goro::new_error("malformed doc");

// Matches the docs whose text mentions `word`; a doc with no text cannot be read.
Match mentions(std::string word) {
  return [word](const goro::Context&, const Doc& doc) -> goro::Result<bool> {
    if (doc.text.empty()) return ErrMalformed;
    return doc.text.find(word) != std::string::npos;
  };
}

std::vector<Doc> library() {
  return {{1, "channels and select"},   {2, "goro tasks"},          {3, "a context that ends"},
          {4, "goro timers"},           {5, "errgroup and wait"},   {6, "closing channels"},
          {7, "goro on real threads"},  {8, "virtual time"}};
}

}  // namespace

DOJO_CHECK("example: three docs mention \"goro\", the limit is 10: all three, sorted, and no task left behind",
           "Fewer matches than the limit: the whole corpus is searched. When search returns, every task it "
           "started must have exited — the progress ticker too.") {
  Request req;
  req.path = "the full-run path";
  req.docs = library();
  req.match = mentions("goro");
  req.limit = 10;
  check.say("calling search(background, 8 docs, mentions \"goro\", limit 10, no progress bar)");
  auto call = call_search(check, std::move(req));
  check.expect_ok(call.result.error(), "search(...)");
  // Fewer ids than matching docs: a hit never reached the result.
  check.expect_eq(call.result.value(), std::vector<int>{2, 4, 7}, "the ids found",
                  call.result.value().size() < 3 ? dojo::grader::Why(dojo::grader::mistake::lost_item)
                                                 : dojo::grader::Why());
}

DOJO_CHECK("example: five docs match, the limit is 2: two of them, and no task left behind",
           "Once the collector has `limit` ids it stops reading — so the matchers that still want to send, "
           "and the producer behind them, must be told to stop, and search must wait until they have.") {
  Request req;
  req.path = "the early-stop path";
  req.docs = library();
  req.match = [](const goro::Context&, const Doc& doc) -> goro::Result<bool> {
    return doc.text.find("channel") != std::string::npos || doc.text.find("goro") != std::string::npos;
  };
  req.limit = 2;
  check.say("calling search(background, 8 docs, mentions \"channel\" or \"goro\", limit 2, no progress bar)");
  auto call = call_search(check, std::move(req));
  check.expect_ok(call.result.error(), "search(...)");
  const std::vector<int>& ids = call.result.value();
  const std::vector<int> matching{1, 2, 4, 6, 7};
  bool valid = ids.size() == 2 && ids[0] < ids[1];
  for (int id : ids) valid = valid && std::find(matching.begin(), matching.end(), id) != matching.end();
  check.expect(valid, "two different ids among {1, 2, 4, 6, 7}, sorted",
               fmt::format("{{{}}}", fmt::join(ids, ", ")),
               ids.size() < 2 ? dojo::grader::Why(dojo::grader::mistake::lost_item) : dojo::grader::Why());
}

DOJO_CHECK("example: doc 5 is malformed: its error, naming the doc, and no task left behind",
           "A failing match stops the search: the group cancels the other matchers. Every other task — the "
           "producer, the progress ticker — must stop as well, and search must wait for them.") {
  Request req;
  req.path = "the matcher-error path";
  req.docs = library();
  req.docs[4].text.clear();
  req.match = mentions("goro");
  check.say("calling search(background, 8 docs where doc 5 has no text, mentions \"goro\", no limit)");
  auto call = call_search(check, std::move(req));
  check.expect_is(call.result.error(), ErrMalformed, "ErrMalformed",
                  "Wrap match's error as goro::errorf(\"doc {}: {:w}\", doc.id, err).");
  check.expect(call.result.error().message().find("doc 5") != std::string::npos,
               "a message that names \"doc 5\"", dojo::grader::Check::describe_error(call.result.error()));
}
