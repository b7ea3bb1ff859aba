// The reference solutions of exercises 11–15, each driven on a small input that shows the
// exercise's idea (see scenarios_solutions_a.cpp for how they are built and driven).
#include <string>
#include <vector>

#include "exercises/11_saga/saga.hpp"
#include "goro/goro.hpp"
#include "driver_support.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrNoCourier = goro::new_error("no courier available");
inline const goro::Error ErrRefund = goro::new_error("refund rejected by the bank");

/// A request to a service task and the channel its answer comes back on.
struct Request {
  std::string what;
  goro::Chan<goro::Error> reply;
};

/// A service that answers each request after `d`: with `fails` for the requests it names.
void serve(goro::Chan<Request> in, goro::Duration d, std::vector<std::pair<std::string, goro::Error>> fails) {
  for (Request req : in) {
    goro::sleep(d);
    goro::Error answer;
    for (const auto& [what, err] : fails)
      if (what == req.what) answer = err;
    req.reply.send(answer);
  }
}

/// One call of a service: send the request, wait for its answer.
goro::Error call(goro::Chan<Request> svc, const std::string& what) {
  auto reply = goro::make_chan<goro::Error>(1);
  svc.send(Request{what, reply});
  return reply.recv().value;
}
}  // namespace

void ex11_saga() {
  // Three services, each a task: the shop's saga talks to them over channels.
  auto stock = goro::make_chan<Request>();
  auto payments = goro::make_chan<Request>();
  auto courier = goro::make_chan<Request>();
  goro::WaitGroup services;
  services.add(3);
  goro::go_named("stock-service", [stock, &services] { serve(stock, 20ms, {}); services.done(); });
  goro::go_named("payments-service", [payments, &services] {
    serve(payments, 40ms, {{"refund", ErrRefund}});
    services.done();
  });
  goro::go_named("courier-service", [courier, &services] {
    serve(courier, 60ms, {{"book", ErrNoCourier}});
    services.done();
  });

  goro::ErrGroup g;
  g.go_named("checkout", [=]() -> goro::Error {
    using dojo::ex11::Step;
    std::vector<Step> steps{
        {"reserve", [=](const goro::Context&) { return call(stock, "reserve"); },
         [=](const goro::Context&) { return call(stock, "release"); }},
        {"charge", [=](const goro::Context&) { return call(payments, "charge"); },
         [=](const goro::Context&) { return call(payments, "refund"); }},
        {"book", [=](const goro::Context&) { return call(courier, "book"); },
         [=](const goro::Context&) { return call(courier, "cancel"); }},
        {"confirm", [=](const goro::Context&) { return call(stock, "confirm"); }, {}},
    };
    if (goro::Error err = dojo::ex11::run_saga(goro::background(), steps))
      return goro::errorf("order 1042: {:w}", err);
    return {};
  });
  (void)g.wait();
  stock.close();
  payments.close();
  courier.close();
  services.wait();
}

}  // namespace dojo::viz::bodies
