"""The Markdown table and the JSON record of one benchmark run."""
import json, os


def _ms(s):
    return f"{s * 1000:,.1f} ms" if s < 10 else f"{s:,.2f} s"


def _secs(s):
    return f"{s:,.2f} s"


def _mib(kib):
    return "–" if not kib else f"{kib / 1024:.0f} MiB"


def _mib(kib):
    return "–" if not kib else f"{kib / 1024:.0f} MiB"


def _pct(ratio):
    return f"{(ratio - 1) * 100:+.1f}%"


def workload_table(name, what, configs, results):
    lines = [f"### {name}", "", what, "",
             "| configuration | median | min–max | n | paired ratio to bare (min–max) | overhead | CPU median |",
             "|---|---|---|---|---|---|---|"]
    for c in configs:
        if not c.available:
            continue
        r = results.get(c.name, {})
        if r.get("error") and not r.get("wall"):
            lines.append(f"| {c.name} | FAILED: {r['error']} | | | | | |")
            continue
        w, ratio, cpu = r["wall"], r.get("ratio"), r.get("cpu")
        rt = "1 (reference)" if c.kind == "bare" else (f"{ratio['median']:.3f} ({ratio['min']:.3f}–{ratio['max']:.3f})" if ratio else "–")
        ov = "" if c.kind == "bare" or not ratio else _pct(ratio["median"])
        err = f" (then FAILED: {r['error']})" if r.get("error") else ""
        lines.append(f"| {c.name} | {_secs(w['median'])}{err} | {_secs(w['min'])}–{_secs(w['max'])} | {w['n']} | {rt} | {ov} | "
                     f"{_secs(cpu['median']) if cpu and c.cpu_visible else '–'} |")
    notes = sorted({n for c in configs for n in c.notes})
    for n in notes:
        lines.append(f"\n- {n}")
    return "\n".join(lines) + "\n"


def micro_table(results, configs, ops):
    lines = ["| configuration | " + " | ".join(f"{op} ns (added)" for op in ops) + " |",
             "|---|" + "---|" * len(ops)]
    for c in configs:
        if not c.available:
            continue
        r = results.get(c.name)
        if not r or (r["error"] and not any(r["ops"][op]["ns"] for op in ops)):
            lines.append(f"| {c.name} | FAILED: {r['error'] if r else 'not run'} |" + " |" * (len(ops) - 1))
            continue
        cells = []
        for op in ops:
            o = r["ops"][op]
            if not o["ns"]:
                cells.append("–")
                continue
            added = o["added_ns"]
            cells.append(f"{o['ns']['median']:,.0f}" + (f" ({added['median']:+,.0f})" if added else ""))
        lines.append(f"| {c.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def startup_table(rows):
    lines = ["| configuration | median | min–max | n | added to bare (median of pairs) | peak RSS |", "|---|---|---|---|---|---|"]
    for r in rows:
        if r["error"] and not r["wall_s"]:
            lines.append(f"| {r['config']} | {r['error']} | | | | |")
            continue
        w, a = r["wall_s"], r["added_s"]
        lines.append(f"| {r['config']} | {_ms(w['median'])} | {_ms(w['min'])}–{_ms(w['max'])} | {w['n']} | "
                     f"{'–' if not a else _ms(a['median'])} | {_mib(r['peak_rss_kib'])} |")
    return "\n".join(lines) + "\n"


def write(out_dir, record, markdown):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "bench.json"), "w") as f:
        json.dump(record, f, indent=2, default=str)
    with open(os.path.join(out_dir, "bench.md"), "w") as f:
        f.write(markdown)
