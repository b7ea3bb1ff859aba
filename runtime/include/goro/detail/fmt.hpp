// <fmt/format.h>, with fmt's formatting engine taken from the fmt library instead of being
// compiled again in every file that formats something.
//
// fmt 9's header defines the engine (detail::vformat_to<char>, and with it the integer, float
// and string writers) as a template that the library also instantiates, but does not declare
// that instance extern: every translation unit that reaches it through format_to, a formatter
// or a format-string check emits its own copy. Declaring it extern here cuts the code generated
// for a typical goro user file by more than half (goro, its tests and every grader variant
// include this header through goro's own headers and the shared precompiled header).
#pragma once

#include <fmt/format.h>

#if !defined(FMT_HEADER_ONLY) && FMT_VERSION >= 90000 && FMT_VERSION < 100000
FMT_BEGIN_NAMESPACE
namespace detail {
extern template FMT_API void vformat_to<char>(buffer<char>&, basic_string_view<char>,
                                              basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);
}  // namespace detail
FMT_END_NAMESPACE
#endif
