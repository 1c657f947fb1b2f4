"""A minimal UDP DNS server for the benchmark: every A question gets one answer
(127.0.0.80, TTL 300). It stands in for the real upstream; its own cost is in both
measured paths, so the difference between them is leash's resolver alone."""
import socket, struct, sys

def main():
    port = int(sys.argv[1])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        qid, flags, qd = struct.unpack(">HHH", q[:6])
        end = 12
        while q[end] != 0:
            end += 1 + q[end]
        question = q[12:end + 5]
        header = struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0)
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes([127, 0, 0, 80])
        s.sendto(header + question + answer, peer)

main()
