"""Runs inside `leash run`: times DNS queries for an allowed name through leash's resolver
(any server on port 53 is redirected there) and straight to the upstream, interleaved so
both see the same machine load. Prints one JSON object."""
import json, random, socket, struct, sys, time

def query(name):
    q = struct.pack(">HHHHHH", random.randint(0, 65535), 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
    return q

def timed(sock, server, q):
    start = time.perf_counter_ns()
    sock.sendto(q, server)
    data, _ = sock.recvfrom(4096)
    elapsed = time.perf_counter_ns() - start
    assert data[:2] == q[:2] and data[3] & 0xF == 0, data
    return elapsed

def stats(ns):
    ns = sorted(ns)
    pick = lambda f: ns[min(len(ns) - 1, int(f * len(ns)))] / 1000
    return {"median_us": round(pick(0.5), 1), "p99_us": round(pick(0.99), 1), "n": len(ns)}

def main():
    upstream_port, count = int(sys.argv[1]), int(sys.argv[2])
    via, direct = [], []
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    for i in range(count + 200):
        name = "q%d.bench.anthropic.test" % (i % 50)
        a = timed(s, ("127.0.0.53", 53), query(name))
        b = timed(s, ("127.0.0.1", upstream_port), query(name))
        if i >= 200:  # warm-up
            via.append(a)
            direct.append(b)
    print(json.dumps({"through_leash": stats(via), "direct": stats(direct),
                      "added_median_us": round(stats(via)["median_us"] - stats(direct)["median_us"], 1),
                      "added_p99_us": round(stats(via)["p99_us"] - stats(direct)["p99_us"], 1)}))

main()
