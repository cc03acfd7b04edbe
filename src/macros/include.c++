#include "macros/expand.h"
#include "macros/registry.h"

namespace cwiki {

void register_include_macros() {}

}  // namespace cwiki
