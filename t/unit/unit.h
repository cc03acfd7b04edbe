// Common includes for the cmocka unit tests.  cmocka 1.1's header has no
// extern "C" guard and needs these standard headers first.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <csetjmp>
#include <cstring>
#include <string>
#include <string_view>

extern "C" {
#include <cmocka.h>
}

// assert_string_equal for std::string / string_view, with a readable failure.
#define assert_str(actual, expected)                                          \
  do {                                                                        \
    std::string a_ = std::string(actual), e_ = std::string(expected);         \
    assert_string_equal(a_.c_str(), e_.c_str());                              \
  } while (0)
