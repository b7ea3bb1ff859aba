// pipelines Q28: graceful shutdown: stop taking work, drain what is in flight, within a deadline.
#include <atomic>
#include <chrono>
#include <functional>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q28 {

class Service {
 public:
  // Admission and the start of the job happen under one lock, so shutdown cannot slip between.
  bool submit(std::function<goro::Error()> job) {
    const std::lock_guard lk(mu_);
    if (!accepting_) return false;
    inflight_.go(std::move(job));
    return true;
  }

  // Stops admission, then waits for the in-flight jobs or for ctx, whichever comes first.
  goro::Error shutdown(const goro::Context& ctx) {
    {
      const std::lock_guard lk(mu_);
      accepting_ = false;
    }
    auto idle = goro::make_chan<goro::Error>(1);
    goro::go([g = inflight_, idle] { idle.send(g.wait()); });
    goro::Error err;
    if (goro::select(goro::on_recv(idle, &err), goro::on_recv(ctx.done())) == 0) return err;
    return goro::errorf("shutdown: in-flight work not finished: {:w}", ctx.err());
  }

 private:
  goro::Mutex mu_;
  bool accepting_ = true;
  goro::ErrGroup inflight_;
};

void run(dojo::interview::Out& out) {
  using namespace std::chrono_literals;
  {
    Service svc;
    std::atomic<int> finished{0};
    for (int i = 0; i < 2; ++i) {
      (void)svc.submit([&finished] {
        goro::sleep(2s);  // a job that lands within the grace period
        ++finished;
        return goro::Error{};
      });
    }
    const goro::Time start = goro::now();
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 30s);
    const goro::Error err = svc.shutdown(ctx);
    cancel();
    out.line("drain: shutdown returned {} after {}, {} of 2 jobs finished", err,
             goro::format_duration(goro::since(start)), finished.load());
    out.line("submit after shutdown: {}", svc.submit([] { return goro::Error{}; }) ? "accepted" : "rejected");
  }
  {
    Service svc;
    auto release = goro::make_chan<goro::Unit>();
    (void)svc.submit([release] {  // a job stuck on something that ignores the shutdown
      (void)release.recv();
      return goro::Error{};
    });
    const goro::Time start = goro::now();
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 30s);
    const goro::Error err = svc.shutdown(ctx);
    cancel();
    out.line("stuck job: shutdown returned \"{}\" after {}", err, goro::format_duration(goro::since(start)));
    release.close();  // (the process would now persist its state and exit)
  }
}

}  // namespace pipelines_q28

DOJO_PROGRAM("pipelines-q28", pipelines_q28::run, dojo::interview::Modes::simulation);
