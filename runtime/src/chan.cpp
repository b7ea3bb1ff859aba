// Out-of-line parts of channels and select.
#include <fmt/format.h>

#include "goro/select.hpp"

namespace goro::detail {

namespace {
struct NilChan final : Waitable {
  [[nodiscard]] std::string describe() const override { return "nil channel"; }
};
const NilChan g_nil_chan;
}  // namespace

void block_forever(WaitReason why, std::source_location where) {
  Lock lk(big_lock());
  const Waitable* what = why == WaitReason::select_no_cases ? nullptr : &g_nil_chan;
  for (;;) park_current(lk, {why, what, where});  // nobody unparks; a leak check may release it
}

std::string SelectBlocked::describe() const {
  std::string out = "select over ";
  for (std::size_t i = 0; i < objs.size(); ++i) out += (i ? " | " : "") + objs[i]->describe();
  return out;
}

}  // namespace goro::detail
