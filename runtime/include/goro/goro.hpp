// goro: Go's concurrency and error semantics in C++20. This header includes all of it.
#pragma once

#include "goro/chan.hpp"
#include "goro/panic.hpp"
#include "goro/select.hpp"
#include "goro/sim.hpp"
#include "goro/task.hpp"
#include "goro/waitgroup.hpp"
