// Panics and stack capture (Boost.Stacktrace with the libbacktrace backend).
#define BOOST_STACKTRACE_USE_BACKTRACE
#include <cxxabi.h>
#include <dlfcn.h>

#include <boost/stacktrace.hpp>
#include <fmt/format.h>
#include <typeinfo>

#include "goro/panic.hpp"

namespace goro {

namespace {

std::vector<std::string> symbolize(const boost::stacktrace::stacktrace& st) {
  std::vector<std::string> out;
  for (const auto& f : st) {
    std::string name = f.name();
    std::string file = f.source_file();
    if (name.empty()) name = "??";
    if (file.empty())
      out.push_back(fmt::format("{}", name));
    else
      out.push_back(fmt::format("{} at {}:{}", name, file, f.source_line()));
  }
  return out;
}

// The stack of the most recent throw on this thread, recorded by the __cxa_throw hook below.
thread_local boost::stacktrace::stacktrace tl_throw_stack{0, 0};
thread_local bool tl_have_throw_stack = false;
thread_local bool tl_in_hook = false;

}  // namespace

Panic::Panic(std::string value) : value_(std::move(value)), stack_(capture_stack(1)) {}

void panic(std::string value) { throw Panic(std::move(value)); }

std::vector<std::string> capture_stack(int skip) {
  return symbolize(boost::stacktrace::stacktrace(static_cast<std::size_t>(skip) + 1, 64));
}

std::vector<std::string> current_exception_stack() {
  if (tl_have_throw_stack) return symbolize(tl_throw_stack);
  return capture_stack(1);
}

}  // namespace goro

// Records the thrower's stack for every C++ exception, so that a panic that escapes a task,
// or one turned into a PanicError, shows where it was thrown rather than where it was caught.
namespace __cxxabiv1 {
extern "C" void __cxa_throw(void* obj, std::type_info* tinfo, void (*dest)(void*)) {
  using Real = void (*)(void*, std::type_info*, void (*)(void*));
  static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "__cxa_throw"));
  if (!goro::tl_in_hook) {
    goro::tl_in_hook = true;
    goro::tl_throw_stack = boost::stacktrace::stacktrace(1, 64);
    goro::tl_have_throw_stack = true;
    goro::tl_in_hook = false;
  }
  real(obj, tinfo, dest);
  __builtin_unreachable();
}
}  // namespace __cxxabiv1
