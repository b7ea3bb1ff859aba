// pipelines Q3: why wrap with {:w} (Go's %w) rather than {} (Go's %v)?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q03 {

struct QuotaError {
  std::string tenant;
  [[nodiscard]] std::string message() const { return "quota exceeded for " + tenant; }
};

void run(dojo::interview::Out& out) {
  const goro::Error err_timeout = goro::new_error("timeout");
  const goro::Error wrapped = goro::errorf("call inventory: {:w}", err_timeout);
  const goro::Error flat = goro::errorf("call inventory: {}", err_timeout);
  out.line("same text: {}", wrapped.message() == flat.message());
  out.line("is(wrapped, timeout) = {}, is(flat, timeout) = {}", goro::is(wrapped, err_timeout),
           goro::is(flat, err_timeout));

  const goro::Error quota = goro::make_error(QuotaError{"acme"});
  const auto found = goro::as<QuotaError>(goro::errorf("upload: {:w}", quota));
  const auto lost = goro::as<QuotaError>(goro::errorf("upload: {}", quota));
  out.line("as through {{:w}}: {}, through {{}}: {}", found ? found->tenant : "nothing",
           lost ? lost->tenant : "nothing");
}

}  // namespace pipelines_q03

DOJO_PROGRAM("pipelines-q03", pipelines_q03::run);
