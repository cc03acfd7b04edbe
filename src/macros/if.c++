#include "macros/expand.h"
#include "macros/registry.h"

namespace cwiki {

void register_if_macros() {}

}  // namespace cwiki
