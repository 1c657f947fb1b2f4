"""Telemetry throughput: decision records per second that leash keeps without loss.

The micro helper's `distinct` operation opens a different missing name each time, paced
at a given rate; every open is a new record (the kernel side only deduplicates repeated
allows). For each rate, leash's audit log's `telemetry` record says how many records the
kernel sent, how many leash received and how many were lost, and the wall time shows how
long leash needed to drain them after the command ended.
"""
import json, os, statistics, subprocess, time


def _telemetry_record(log):
    try:
        for line in open(log):
            d = json.loads(line)
            if d.get("event") == "telemetry":
                return d
    except (OSError, ValueError):
        pass
    return None


def measure(leash, flags, helper, steps, cwd, env, timeout, say):
    """steps: [(offered rate per second, seconds)]"""
    rows = []
    for rate, seconds in steps:
        n = int(rate * seconds)
        log = os.path.join(cwd, f"telemetry-{rate}.jsonl")
        if os.path.exists(log):
            os.remove(log)
        argv = [leash, "run", *flags, "--audit-log", log, "--", helper, "--rate", str(rate), str(n), "distinct"]
        t0 = time.perf_counter()
        try:
            p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            rows.append({"rate": rate, "events": n, "error": f"leash did not finish within {timeout} s"})
            say(f"  telemetry | {rate:,}/s: did not finish within {timeout} s")
            break
        wall = time.perf_counter() - t0
        helper_s = None
        for line in p.stdout.splitlines():
            if line.startswith("{"):
                helper_s = json.loads(line)["ns_per_op"] * n / 1e9
        rec = _telemetry_record(log)
        if p.returncode != 0 or rec is None:
            rows.append({"rate": rate, "events": n, "error": f"exit {p.returncode}, telemetry record {'missing' if rec is None else 'present'}: "
                         + " | ".join(p.stderr.strip().splitlines()[-2:])[:300]})
            say(f"  telemetry | {rate:,}/s: FAILED ({rows[-1]['error']})")
            break
        row = {"rate": rate, "seconds": seconds, "events": n, "helper_s": helper_s, "leash_wall_s": wall,
               "sent": rec.get("sent"), "received": rec.get("received"), "lost": rec.get("lost"),
               "deduplicated": rec.get("deduplicated"), "achieved_rate": n / helper_s if helper_s else None}
        rows.append(row)
        say(f"  telemetry | {rate:,}/s for {seconds} s: sent {row['sent']:,}, received {row['received']:,}, lost {row['lost']:,}; "
            f"leash finished {wall:.1f} s after start")
        if row["lost"] and row["lost"] > n // 2:
            break  # far past saturation: longer or faster steps only lose more
        os.remove(log)
    return rows


def table(rows):
    lines = ["| offered rate | for | events | achieved rate | sent by kernel | received | lost | leash wall time (command ran) | records handled per second of leash's run |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['rate']:,}/s | | {r['events']:,} | {r['error']} | | | | | |")
            continue
        lines.append(f"| {r['rate']:,}/s | {r['seconds']} s | {r['events']:,} | {r['achieved_rate']:,.0f}/s | {r['sent']:,} | {r['received']:,} | "
                     f"{r['lost']:,} | {r['leash_wall_s']:.1f} s ({r['helper_s']:.1f} s) | {r['received'] / r['leash_wall_s']:,.0f}/s |")
    ok = [r for r in rows if not r.get("error") and r["lost"] == 0]
    lines.append("")
    # A step saturates the consumer when leash needs clearly longer than the command to
    # drain; only those steps measure the consumer's own rate.
    saturated = [r for r in rows if not r.get("error") and r["leash_wall_s"] > 1.5 * r["helper_s"] + 1]
    kept_up = [r for r in rows if not r.get("error") and r not in saturated and r["lost"] == 0]
    if kept_up:
        lines.append(f"leash kept up with offered rates up to {max(r['rate'] for r in kept_up):,}/s.")
    if saturated:
        rate = statistics.median(r["received"] / r["leash_wall_s"] for r in saturated)
        lines.append(f"Saturated, leash's consumer handled about {rate:,.0f} records per second (median over saturated steps): "
                     "the rate it sustains without loss.")
    if ok:
        best = max(ok, key=lambda r: r["events"])
        lines.append(f"No loss up to {best['events']:,} records offered at {best['rate']:,}/s (the ring buffer holds a burst).")
    lossy = [r for r in rows if not r.get("error") and r["lost"]]
    if lossy:
        r = min(lossy, key=lambda r: r["events"])
        lines.append(f"Past that, records are lost and counted: {r['lost']:,} of {r['events']:,} at {r['rate']:,}/s for {r['seconds']} s.")
    return "\n".join(lines) + "\n"
