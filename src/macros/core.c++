#include "macros/expand.h"
#include "macros/registry.h"

namespace cwiki {

void register_core_macros() {}

}  // namespace cwiki
