// The scenario programs (one function each), shared between the source files that define
// them and the registry in scenarios.cpp. Each runs as the first task ("main") of
// goro::simulate and uses only goro's primitives, so the run is deterministic.
#pragma once

namespace dojo::viz::bodies {

// scenarios_pipelines.cpp: channels and their lifetimes.
void sum_pipeline();
void missing_close();
void leaked_producer();
void unbuffered_deadlock();

// scenarios_errors.cpp: contexts, cancellation and error propagation.
void ignored_cancellation();
void check_then_send();
void first_error_vs_join();
void deadline_cascade();

// scenarios_resilience.cpp: patterns on the virtual clock.
void retry_storm();
void breaker_opening();

// scenarios_solutions_a.cpp / _b.cpp: the reference solutions of the exercises
// (solutions/NN_slug), driven on small inputs that show each exercise's idea.
void ex01_sum();
void ex02_negative();
void ex03_fetch_all();
void ex04_drain();
void ex05_retry();
void ex06_skip();
void ex07_fan_out();
void ex08_aggregate();
void ex09_stage_error();
void ex10_deadline();

// scenarios_solutions_c.cpp: exercises 11-15.
void ex11_saga();
void ex12_saga_persist();
void ex13_panic();
void ex14_bulkhead();
void ex15_breaker();
void ex16_dlq();
void ex17_cursor();
void ex18_hedged();
void ex19_batcher();
void ex20_integration();
void ex21_typed_errors();
void ex22_leak_hunt();
void ex23_stress();
void ex24_mini_group();
void ex25_cancel_timing();

}  // namespace dojo::viz::bodies
