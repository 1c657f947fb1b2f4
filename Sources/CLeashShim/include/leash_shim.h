// Every header of the shim, for C files that want all of it.
#pragma once
#include "leash_events.h"
#include "leash_syscalls.h"
#include "leash_libbpf_log.h"
