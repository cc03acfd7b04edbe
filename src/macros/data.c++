#include "macros/expand.h"
#include "macros/registry.h"

namespace cwiki {

void register_data_macros() {}

}  // namespace cwiki
