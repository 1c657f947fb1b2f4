/// The sandboxed client of the DNS tests, run with /usr/bin/python3 inside the sandbox's
/// cgroup. It speaks DNS itself (UDP or TCP, to any server address) so each test chooses
/// the transport, then connects or sends to what it got. One JSON object per line out.
let dnsClientScript = #"""
import errno, json, random, socket, struct, sys

def encode_name(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"

def read_name(msg, at):
    labels, jumped, end = [], False, at
    for _ in range(128):
        n = msg[at]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = at + 2
            at, jumped = ((n & 0x3F) << 8) | msg[at + 1], True
        elif n == 0:
            return ".".join(labels), (end if jumped else at + 1)
        else:
            labels.append(msg[at + 1:at + 1 + n].decode())
            at += 1 + n
    raise ValueError("name loop")

def parse(msg):
    _, flags, qd, an, _, _ = struct.unpack(">HHHHHH", msg[:12])
    at = 12
    for _ in range(qd):
        _, at = read_name(msg, at)
        at += 4
    addrs = []
    for _ in range(an):
        _, at = read_name(msg, at)
        rtype, _, _, length = struct.unpack(">HHIH", msg[at:at + 10])
        at += 10
        if rtype == 1:
            addrs.append(socket.inet_ntop(socket.AF_INET, msg[at:at + 4]))
        elif rtype == 28:
            addrs.append(socket.inet_ntop(socket.AF_INET6, msg[at:at + 16]))
        at += length
    return flags & 0xF, bool(flags & 0x200), addrs

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def query(server, name, qtype, tcp):
    q = struct.pack(">HHHHHH", random.randint(0, 65535), 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack(">HH", qtype, 1)
    s = socket.socket(family(server), socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    s.settimeout(5)
    try:
        if tcp:
            s.connect((server, 53))
            s.sendall(len(q).to_bytes(2, "big") + q)
            head = s.recv(2, socket.MSG_WAITALL)
            data = s.recv(int.from_bytes(head, "big"), socket.MSG_WAITALL)
            peer = s.getpeername()[0]
        else:
            s.sendto(q, (server, 53))
            data, frm = s.recvfrom(65535)
            peer = frm[0]
    finally:
        s.close()
    rcode, tc, addrs = parse(data)
    return {"rcode": rcode, "tc": tc, "addrs": addrs, "from": peer}

def attempt(addr, port, udp=False):
    s = socket.socket(family(addr), socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        if udp:
            s.sendto(b"x", (addr, port))
        else:
            s.connect((addr, port))
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()

def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "resolve":        # NAME TYPE SERVER udp|tcp PORT [send]
        name, qtype, server, transport, port = args[:5]
        try:
            r = query(server, name, int(qtype), transport == "tcp")
        except OSError as e:
            print(json.dumps({"error": errno.errorcode.get(e.errno, str(e))}))
            return
        r["connects"] = {a: attempt(a, int(port), udp=len(args) > 5) for a in r["addrs"]}
        print(json.dumps(r))
    elif cmd == "connect":      # ADDR PORT [udp]
        print(json.dumps({"result": attempt(args[0], int(args[1]), udp=len(args) > 2)}))
    elif cmd == "race":         # PREFIX COUNT SERVER PORT: resolve rI.PREFIX and connect at once
        prefix, count, server, port = args[0], int(args[1]), args[2], int(args[3])
        refused, failed, first = 0, 0, None
        for i in range(count):
            try:
                r = query(server, "r%d.%s" % (i, prefix), 1, i % 2 == 1)
            except OSError as e:
                failed += 1
                continue
            if r["rcode"] != 0 or len(r["addrs"]) != 1:
                failed += 1
                continue
            result = attempt(r["addrs"][0], port)
            if result != "ok":
                refused += 1
                first = first or (r["addrs"][0], result)
        print(json.dumps({"refused": refused, "failed": failed, "first": first}))
    elif cmd == "raw":          # a raw ICMP socket (root): its sends never meet the connect hooks
        try:
            socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
            print(json.dumps({"result": "ok"}))
        except OSError as e:
            print(json.dumps({"result": errno.errorcode.get(e.errno, str(e.errno))}))
    elif cmd == "getaddrinfo":  # NAME PORT: the C library's own resolver (resolv.conf)
        try:
            infos = socket.getaddrinfo(args[0], int(args[1]), type=socket.SOCK_STREAM)
        except socket.gaierror as e:
            print(json.dumps({"error": e.args[1]}))
            return
        addrs = sorted({i[4][0] for i in infos})
        print(json.dumps({"addrs": addrs, "connects": {a: attempt(a, int(args[1])) for a in addrs}}))

main()
"""#
