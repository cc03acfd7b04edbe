#include "macros/registry.h"

#include <mutex>

namespace cwiki {

void register_all_macros() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_core_macros();
    register_data_macros();
    register_if_macros();
    register_include_macros();
    register_template_macros();
  });
}

}  // namespace cwiki
