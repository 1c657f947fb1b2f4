// libbpf prints through a variadic callback (va_list), which Swift cannot implement.
// These route libbpf's messages into a buffer the loader reads after a failed call, so
// errors carry the verifier's and libbpf's own words instead of spamming stderr.
#pragma once

#include <stddef.h>

/// Installs the capturing print callback (idempotent). Debug-level messages are dropped.
void leash_libbpf_capture_log(void);

/// Clears the captured text. Call before the libbpf call whose messages you want.
void leash_libbpf_log_reset(void);

/// Copies up to `size - 1` bytes of the captured text (the most recent part if it is
/// longer) into `buffer`, NUL-terminated. Returns the number of bytes copied.
size_t leash_libbpf_log_read(char *buffer, size_t size);
