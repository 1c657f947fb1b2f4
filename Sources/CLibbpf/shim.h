// libbpf from Debian's libbpf-dev: objects, programs, maps, links, ring buffers, BTF.
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
