// "What happens next?" quizzes built from recorded scenario traces.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "dojo/trace/reader.hpp"
#include "dojo/viz/quiz.hpp"
#include "dojo/viz/scenarios.hpp"
#include "test_support.hpp"

using dojo::trace::EventType;
using dojo::viz::test::temp_trace;

namespace {

dojo::trace::Trace record(const char* name) {
  const auto* s = dojo::viz::find_scenario(name);
  REQUIRE(s != nullptr);
  const std::string path = temp_trace(std::string("quiz_") + name);
  (void)dojo::viz::run_scenario(*s, s->seed, path);
  auto t = dojo::trace::read_trace_file(path);
  std::remove(path.c_str());
  return t;
}

const dojo::viz::Quiz* find_question(const std::vector<dojo::viz::Quiz>& qs, const std::string& part) {
  for (const auto& q : qs)
    if (q.question.find(part) != std::string::npos) return &q;
  return nullptr;
}

}  // namespace

TEST_CASE("quiz: every quiz of every scenario is well formed", "[quiz]") {
  for (const auto& s : dojo::viz::scenarios()) {
    INFO(s.name);
    auto t = record(s.name.c_str());
    auto qs = dojo::viz::make_quizzes(t);
    CHECK(!qs.empty());
    for (std::size_t i = 0; i < qs.size(); ++i) {
      const auto& q = qs[i];
      INFO(q.question);
      REQUIRE(q.pause_at < t.events.size());
      if (i > 0) REQUIRE(qs[i - 1].pause_at < q.pause_at);  // event order, one per pause
      REQUIRE(q.choices.size() >= 3);
      REQUIRE(q.choices.size() <= 4);
      REQUIRE(q.answer < q.choices.size());
      for (std::size_t a = 0; a < q.choices.size(); ++a)
        for (std::size_t b = a + 1; b < q.choices.size(); ++b) REQUIRE(q.choices[a] != q.choices[b]);
      REQUIRE(!q.explanation.empty());
    }
    // Pure: the same trace gives the same quizzes.
    auto again = dojo::viz::make_quizzes(t);
    REQUIRE(again.size() == qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) {
      REQUIRE(again[i].pause_at == qs[i].pause_at);
      REQUIRE(again[i].choices == qs[i].choices);
      REQUIRE(again[i].answer == qs[i].answer);
    }
  }
}

TEST_CASE("quiz: missing_close asks what the consumer does next: it blocks forever", "[quiz]") {
  auto t = record("missing_close");
  auto qs = dojo::viz::make_quizzes(t);
  const auto* q = find_question(qs, "What does `consumer` do next");
  REQUIRE(q != nullptr);
  REQUIRE(q->choices[q->answer].find("blocks forever") == 0);
  // It pauses just before the consumer's last block.
  const auto& e = t.events[q->pause_at];
  REQUIRE(e.type == EventType::block);
  REQUIRE(t.tasks.at(e.task).name == "consumer");
  // And the run's end is a deadlock question.
  const auto* end = find_question(qs, "How does the run end");
  REQUIRE(end != nullptr);
  REQUIRE(end->choices[end->answer].find("deadlock") == 0);
  REQUIRE(t.events[end->pause_at].type == EventType::report);
}

TEST_CASE("quiz: first_error_vs_join asks which task's error wait() returns", "[quiz]") {
  auto t = record("first_error_vs_join");
  auto qs = dojo::viz::make_quizzes(t);
  const auto* q = find_question(qs, "Which task returns the error that wait() will report");
  REQUIRE(q != nullptr);
  REQUIRE(q->choices[q->answer] == "`first:orders`");
  REQUIRE(t.events[q->pause_at].type == EventType::task_error);
  REQUIRE(q->explanation.find("connection refused") != std::string::npos);
}

TEST_CASE("quiz: joined errors ask which failures the error holds (ex08_aggregate, first_error_vs_join)", "[quiz]") {
  for (const char* name : {"ex08_aggregate", "first_error_vs_join"}) {
    INFO(name);
    auto t = record(name);
    auto qs = dojo::viz::make_quizzes(t);
    const auto* q = find_question(qs, "Which failures does its error hold");
    REQUIRE(q != nullptr);
    REQUIRE(t.events[q->pause_at].type == EventType::task_error);
    REQUIRE(q->choices[q->answer] == "all 2 of them, joined");
    REQUIRE(q->explanation.find("goro::join") != std::string::npos);
  }
}

TEST_CASE("quiz: deadline_cascade asks which contexts the deadline reaches", "[quiz]") {
  auto t = record("deadline_cascade");
  auto qs = dojo::viz::make_quizzes(t);
  const auto* q = find_question(qs, "Which contexts does this cancel reach");
  REQUIRE(q != nullptr);
  REQUIRE(t.events[q->pause_at].type == EventType::ctx_cancel);
  REQUIRE(q->choices[q->answer].find("derived from it") != std::string::npos);
  REQUIRE(q->explanation.find("deadline exceeded") != std::string::npos);
  // Workers return the deadline wrapped with what they were doing.
  const auto* w = find_question(qs, "What does `worker-");
  REQUIRE(w != nullptr);
  REQUIRE(w->choices[w->answer].find("context deadline exceeded") != std::string::npos);
}

TEST_CASE("quiz: sum_pipeline asks what the receiver does after a close", "[quiz]") {
  auto t = record("sum_pipeline");
  auto qs = dojo::viz::make_quizzes(t);
  const auto* q = find_question(qs, "closes chan");
  REQUIRE(q != nullptr);
  REQUIRE(t.events[q->pause_at].type == EventType::chan_close);
}

TEST_CASE("quiz: an empty or unfinished trace gives no quizzes and does not crash", "[quiz]") {
  dojo::trace::Trace empty;
  REQUIRE(dojo::viz::make_quizzes(empty).empty());
  auto t = record("leaked_producer");
  t.events.resize(t.events.size() / 2);
  t.end.reset();
  (void)dojo::viz::make_quizzes(t);  // tasks refer to events beyond the cut: must not crash
}
