#!/usr/bin/env python3
"""Times `crossdock explain` and the manual `aws` CLI path on the seeded pairs (run.sh).

For each pair (small, big): one warm-up run, then ``--runs`` timed runs of

* ``crossdock explain --profile-a P-a --profile-b P-b --stats --format json pull …``, with
  the scenario's ARNs and again with short names (``--principal codebuild-service-role
  --repo source-repo``, resolved in both accounts): wall time of the whole process
  (measured here), plus crossdock's own stats line (AWS calls per operation, and its
  in-process milliseconds); the verdict and failing checks are compared with the demo
  scenario's expected answer, so a fast wrong answer shows; with ``--compare BIN``, the
  same for another build;
* ``manual.sh`` (the `aws` CLI sequence an SRE runs for the same evidence): wall time and
  the number of `aws` invocations, each run with an empty CLI credential cache (a fresh
  HOME), so both sides assume the two roles once per explanation.

Prints a Markdown summary and writes every raw number to ``--out``. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

STATS = re.compile(r"crossdock: (\d+) AWS calls in (\d+) ms \((.*)\)")


def environment(profiles: Path, home: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(profiles / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(profiles / "credentials"),
        NO_COLOR="1",
    )
    if home:
        env["HOME"] = home
    return env


def short(arn: str) -> str:
    """codebuild-service-role / source-repo: the names a person types."""
    resource = arn.split(":", 5)[5]
    if resource.startswith("assumed-role/"):
        return resource.split("/")[1]
    return resource.split("/", 1)[1]


def crossdock_run(binary: str, profiles: Path, pair: str, q: dict[str, Any], names: bool) -> dict[str, Any]:
    principal, repository = q["principal"], q["repository"]
    if names:
        principal, repository = short(principal), short(repository)
    args = [
        binary, "explain", "--profile-a", f"{pair}-a", "--profile-b", f"{pair}-b", "--stats",
        "--format", "json", "pull", "--principal", principal, "--repo", repository,
        "--tag", q["tag"],
    ]
    started = time.perf_counter()
    out = subprocess.run(args, env=environment(profiles), capture_output=True, text=True)
    wall = time.perf_counter() - started
    stats = STATS.search(out.stderr)
    if out.returncode not in (0, 1, 3) or not stats:
        raise SystemExit(f"crossdock failed ({out.returncode}):\n{out.stderr}\n{out.stdout}")
    diagnosis = json.loads(out.stdout)
    per_op = dict(
        (op, int(n)) for op, n in (item.split("=") for item in stats.group(3).split(", ") if item)
    )
    return {
        "wall_ms": wall * 1000,
        "calls": int(stats.group(1)),
        "internal_ms": int(stats.group(2)),
        "per_operation": per_op,
        "verdict": diagnosis["verdict"],
        "failing_checks": [c["id"] for c in diagnosis["checks"] if c["status"] == "fail"],
        "exit": out.returncode,
    }


def manual_run(script: str, profiles: Path, pair: str, q: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="crossdock-manual-") as home:
        started = time.perf_counter()
        out = subprocess.run(
            ["bash", script, f"{pair}-a", f"{pair}-b", q["principal"], q["repository"]],
            env=environment(profiles, home),
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"manual.sh failed ({out.returncode}):\n{out.stderr}")
    invocations = int(out.stdout.strip().splitlines()[-1].split()[-1])
    commands = [line[2:] for line in out.stderr.splitlines() if line.startswith("+ aws ")]
    return {"wall_ms": wall * 1000, "invocations": invocations, "commands": commands}


def summary(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
    values = [r[key] for r in runs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def crossdock_series(
    binary: str, profiles: Path, pair: str, q: dict[str, Any], names: bool, runs: int
) -> dict[str, Any]:
    crossdock_run(binary, profiles, pair, q, names)  # warm-up: page cache, first requests
    cd = [crossdock_run(binary, profiles, pair, q, names) for _ in range(runs)]
    expected = q["expected"]
    return {
        "wall_ms": summary(cd, "wall_ms"),
        "internal_ms": summary(cd, "internal_ms"),
        "calls": sorted({r["calls"] for r in cd}),
        "per_operation": cd[0]["per_operation"],
        "per_operation_stable": all(r["per_operation"] == cd[0]["per_operation"] for r in cd),
        "answer_matches_demo": all(
            r["verdict"] == expected["verdict"] and r["failing_checks"] == expected["failing_checks"]
            for r in cd
        ),
        "verdict": cd[0]["verdict"],
        "failing_checks": cd[0]["failing_checks"],
        "runs": cd,
    }


def machine() -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_average_at_start": os.getloadavg(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crossdock", required=True)
    parser.add_argument("--manual", required=True)
    parser.add_argument("--profiles", type=Path, required=True)
    parser.add_argument("--seed-small", type=Path, required=True)
    parser.add_argument("--seed-big", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--build-seconds", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", help="another crossdock binary to time on the same pairs (e.g. an older build)")
    args = parser.parse_args()

    results: dict[str, Any] = {"machine": machine(), "runs": args.runs, "build_seconds": args.build_seconds}
    for pair, seed_file in (("small", args.seed_small), ("big", args.seed_big)):
        seeded = json.loads(seed_file.read_text())
        q = seeded["question"]
        results[pair] = {
            "seed": seeded,
            "crossdock": crossdock_series(args.crossdock, args.profiles, pair, q, False, args.runs),
            "crossdock_short_names": crossdock_series(args.crossdock, args.profiles, pair, q, True, args.runs),
        }
        if args.compare:
            results[pair]["compare"] = {
                "binary": args.compare,
                "arns": crossdock_series(args.compare, args.profiles, pair, q, False, args.runs),
                "short_names": crossdock_series(args.compare, args.profiles, pair, q, True, args.runs),
            }
        manual_run(args.manual, args.profiles, pair, q)  # warm-up
        manual = [manual_run(args.manual, args.profiles, pair, q) for _ in range(args.runs)]
        results[pair]["manual"] = {
            "wall_ms": summary(manual, "wall_ms"),
            "invocations": sorted({r["invocations"] for r in manual}),
            "commands": manual[0]["commands"],
            "runs": manual,
        }
        results[pair]["ratio"] = (
            results[pair]["manual"]["wall_ms"]["median"] / results[pair]["crossdock"]["wall_ms"]["median"]
        )
    args.out.write_text(json.dumps(results, indent=2))
    print(markdown(results))


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory_gib']} GiB, Linux {m['kernel']}; "
        f"{m['date']}; load average at start {m['load_average_at_start'][0]:.2f}. "
        f"Median of {r['runs']} runs after one warm-up.",
        "",
        "| pair | contents per account (counted after seeding) | seeding | crossdock AWS calls | crossdock wall (median, min–max) | aws CLI invocations | manual wall (median, min–max) | manual ÷ crossdock |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pair in ("small", "big"):
        p = r[pair]
        s = p["seed"]
        contents = "; ".join(
            f"{a}: {c['roles']} roles, {c['customer_managed_policies']} managed policies, "
            f"{c['repositories']} repos, {c['keys']} keys"
            for a, c in s["accounts"].items()
        )
        cd, man = p["crossdock"], p["manual"]
        lines.append(
            f"| {pair} | {contents} | {s['write_calls']} calls in {s['seconds']:.1f} s "
            f"({s['calls_per_second']}/s) | {', '.join(map(str, cd['calls']))} | "
            f"{cd['wall_ms']['median']:.0f} ms ({cd['wall_ms']['min']:.0f}–{cd['wall_ms']['max']:.0f}) | "
            f"{', '.join(map(str, man['invocations']))} | "
            f"{man['wall_ms']['median']:.0f} ms ({man['wall_ms']['min']:.0f}–{man['wall_ms']['max']:.0f}) | "
            f"**{p['ratio']:.1f}×** |"
        )
    same = r["small"]["crossdock"]["per_operation"] == r["big"]["crossdock"]["per_operation"]
    lines += [
        "",
        f"crossdock calls per operation, small: {r['small']['crossdock']['per_operation']}",
        f"crossdock calls per operation, big:   {r['big']['crossdock']['per_operation']}",
        f"identical call counts small vs big: {same}; answers match the demo's "
        f"(verdict {r['big']['crossdock']['verdict']}, failing {r['big']['crossdock']['failing_checks']}): "
        f"small {r['small']['crossdock']['answer_matches_demo']}, big {r['big']['crossdock']['answer_matches_demo']}",
        f"crossdock in-process time (its --stats line), median: small {r['small']['crossdock']['internal_ms']['median']:.0f} ms, "
        f"big {r['big']['crossdock']['internal_ms']['median']:.0f} ms",
        "",
        "| crossdock explain, pair | by | AWS calls | calls per operation | wall (median, min–max) |",
        "|---|---|---|---|---|",
    ]
    series = [("ARNs", "crossdock"), ("short names", "crossdock_short_names")]
    for label, key in series:
        for pair in ("small", "big"):
            lines.append(row(f"this build, {pair}", label, r[pair][key]))
    if "compare" in r["small"]:
        for label, key in (("ARNs", "arns"), ("short names", "short_names")):
            for pair in ("small", "big"):
                lines.append(row(f"{r[pair]['compare']['binary']}, {pair}", label, r[pair]["compare"][key]))
    lines += [
        "",
        "manual sequence (big): " + " ; ".join(c for c in r["big"]["manual"]["commands"]),
    ]
    return "\n".join(lines)


def row(name: str, by: str, c: dict[str, Any]) -> str:
    ops = ", ".join(f"{op}={n}" for op, n in c["per_operation"].items())
    return (
        f"| {name} | {by} | {', '.join(map(str, c['calls']))} | {ops} | "
        f"{c['wall_ms']['median']:.0f} ms ({c['wall_ms']['min']:.0f}–{c['wall_ms']['max']:.0f}) |"
    )


if __name__ == "__main__":
    main()
