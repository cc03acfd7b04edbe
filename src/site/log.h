// The engine's logging seam.  The adapter implements Log on top of
// ap_log_rerror / ap_log_error; tests use a recording or a silent Log.
// Every message carries a number, printed by the adapter as "CW<number>:".
#pragma once

#include <string_view>

namespace cwiki {

enum class LogLevel { error, warning, notice, info, debug };

class Log {
 public:
  virtual ~Log() = default;
  virtual void write(LogLevel level, int id, std::string_view message) = 0;
};

class NullLog final : public Log {
 public:
  void write(LogLevel, int, std::string_view) override {}
};

}  // namespace cwiki
