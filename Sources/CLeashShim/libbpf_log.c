#include "leash_libbpf_log.h"

#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// One process-wide buffer: libbpf's callback has no context pointer. Keeps the tail,
// where the verifier puts the reason, when a log overflows.
enum { LOG_CAPACITY = 16384 };
static char log_text[LOG_CAPACITY];
static size_t log_length;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static int capture(enum libbpf_print_level level, const char *format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char line[1024];
    int n = vsnprintf(line, sizeof line, format, args);
    if (n <= 0) return 0;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    pthread_mutex_lock(&log_lock);
    if (log_length + len >= LOG_CAPACITY) {
        size_t keep = LOG_CAPACITY / 2;
        if (keep > log_length) keep = log_length;
        memmove(log_text, log_text + log_length - keep, keep);
        log_length = keep;
    }
    if (len < LOG_CAPACITY - log_length) {
        memcpy(log_text + log_length, line, len);
        log_length += len;
    }
    pthread_mutex_unlock(&log_lock);
    return n;
}

void leash_libbpf_capture_log(void) { libbpf_set_print(capture); }

void leash_libbpf_log_reset(void) {
    pthread_mutex_lock(&log_lock);
    log_length = 0;
    pthread_mutex_unlock(&log_lock);
}

size_t leash_libbpf_log_read(char *buffer, size_t size) {
    if (size == 0) return 0;
    pthread_mutex_lock(&log_lock);
    size_t n = log_length < size - 1 ? log_length : size - 1;
    memcpy(buffer, log_text + log_length - n, n);
    buffer[n] = '\0';
    pthread_mutex_unlock(&log_lock);
    return n;
}
