#include "leash_shim.h"
