"""Benchmark Roundtable against a ceiling: `python bench/run.py [--scale medium] [--smoke]`.

Seeds a database (bench/seed.py), serves the app with gunicorn exactly as gunicorn.conf.py
deploys it (rate limits off, a fixed SECRET_KEY) and, beside it, bench/ceiling.py under the same
settings; then drives both with wrk from 127.0.0.1, alternating a ceiling run and an app run
for every case, round after round. Reports rps, p50 and p99 per case and the ratio to the
ceiling run just before it (medians over rounds), worker memory and first-visit bytes, and
writes JSON and Markdown under bench/results/. Exits non-zero when any answer was wrong.

--smoke: small scale, about 2 s per case, one round: only checks that every case answers
correctly (statuses, 304 on the poll, exact vote counts, a real log-in), not speed.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.extensions import db  # noqa: E402
from bench import cases as bench_cases  # noqa: E402
from bench import report, servers  # noqa: E402
from bench import seed as seeding  # noqa: E402

NOISY = 0.10  # share of the machine's CPU used by other jobs above which a run is flagged


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="medium")
    parser.add_argument("--database-url", help="default: sqlite:///instance/bench-<scale>.db")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--no-seed", action="store_true", help="reuse the database as it is")
    parser.add_argument("--baseline", type=Path, help="an earlier results JSON to compare rps to")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="scheduling priority of the servers and wrk (e.g. -10 on a shared machine; "
        "negative values need root)",
    )
    parser.add_argument("--smoke", action="store_true", help="correctness only, fast")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale, args.rounds, args.no_write = "small", 1, True
        if "--duration" not in (argv or sys.argv):
            args.duration = 2
    return args


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
    except OSError:
        return "unknown"
    return f"{commit}{'+dirty' if dirty else ''}" or "unknown"


def precheck(case, fetch, failures: list[str]) -> bool:
    """One request from the case's list: the right status and body, before any timing."""
    method, path, headers, body = bench_cases.parse(case.build()[0])
    status, answer_headers, content = fetch(method, path, headers, body)
    text = content.decode(errors="replace")
    problems = [] if status == case.expect else [f"status {status}, expected {case.expect}"]
    problems += [f"{marker!r} missing" for marker in case.markers if marker not in text]
    for problem in problems:
        failures.append(f"{case.name}: {path}: {problem}")
    case.notes = []
    if "Set-Cookie" in answer_headers and "Cookie" in headers:
        case.notes.append("a logged-in request got Set-Cookie back (session rewritten)")
    return not problems


def check_run(case, run: dict, failures: list[str]) -> None:
    """Wrong statuses, refused or broken connections, or no answer at all fail the run; a
    request slower than wrk's 10 s timeout is slowness, noted with the results instead."""
    wrong = {s: n for s, n in run["statuses"].items() if s != case.expect}
    broken = {k: v for k, v in run["socket_errors"].items() if k != "timeout"}
    if wrong or broken or not run["requests"]:
        failures.append(
            f"{case.name}: {run['requests']} requests, statuses {run['statuses']} "
            f"(expected {case.expect}), socket errors {run['socket_errors']}"
        )


def measured(server, lines: list[str], wrk: dict) -> dict:
    """One wrk run against server, then wait for its backlog to drain; adds the workers' CPU
    milliseconds per answered request (robust to other jobs on a shared machine)."""
    before = server.cpu_seconds()
    run = servers.run_wrk(server.port, lines, **wrk)
    run["drain_s"] = server.wait_idle()
    answered = run["requests"] or 1
    run["cpu_ms"] = round((server.cpu_seconds() - before) * 1000 / answered, 2)
    return run


def summarise(runs: list[dict]) -> dict:
    def med(key):
        return round(statistics.median(r[key] for r in runs), 3)

    keys = ("rps", "p50_ms", "p99_ms", "ceiling_rps", "ratio", "cpu_ms", "ceiling_cpu_ms")
    return {k: med(k) for k in (*keys, "cpu_ratio")}


def _stop(signum, frame):
    # SIGTERM (CI timeouts, kill) unwinds like an exception, so the servers are stopped.
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    args = options(argv)
    tmp = Path(tempfile.mkdtemp(prefix="rt-bench-"))
    url = args.database_url or (
        f"sqlite:///{tmp / 'smoke.db'}" if args.smoke else seeding.default_url(args.scale)
    )
    app = seeding.bench_app(url)
    failures: list[str] = []
    notes: list[str] = []
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with app.app_context():
        if args.no_seed:
            seeded = {"scale": args.scale, "reused": True}
        else:
            seeded = seeding.seed(args.scale)
            notes += [f"data: {n}" for n in seeded["notes"]]
        if args.smoke:
            failures += [f"seed: {p}" for p in seeding.check()]
        hot = bench_cases.find_hot()
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": seeding.BENCH_SECRET_KEY,
        "RATELIMIT_ENABLED": "false",
    }
    app_server = servers.Server("app", "wsgi:app", env, tmp, nice=args.nice)
    ceiling = servers.Server("ceiling", "bench.ceiling:app", env, tmp, nice=args.nice)
    result = {"cases": {}}
    try:
        app_server.start("/healthz")
        ceiling.start("/")
        print(f"Serving the app on :{app_server.port} and the ceiling on :{ceiling.port} "
              f"({len(app_server.worker_pids())} workers each); logs in {tmp}")  # fmt: skip

        def fetch(method, path, headers, body=""):
            return servers.fetch(app_server.port, method, path, headers, body)

        with app.app_context():
            sessions = bench_cases.Sessions(app)
            people = bench_cases.bench_people()
            cases = bench_cases.build_cases(app, sessions, hot, fetch)
            if args.cases:
                wanted = set(args.cases.split(","))
                cases = [c for c in cases if c.name in wanted]
            active = [c for c in cases if not c.skipped and precheck(c, fetch, failures)]
            ceiling_lines = [
                bench_cases.line("GET", "/", sessions.headers(p)) for p in people[:200]
            ]
            wrk = {"duration": args.duration, "connections": args.connections,
                   "threads": args.threads, "nice": args.nice}  # fmt: skip
            if not args.smoke:  # warm every worker: imports, template compilation, caches
                servers.run_wrk(ceiling.port, ceiling_lines, **{**wrk, "duration": 2})
                for case in active:
                    servers.run_wrk(app_server.port, case.build(), **{**wrk, "duration": 2})
                    app_server.wait_idle()
            runs: dict[str, list] = {c.name: [] for c in active}
            watch = servers.CpuWatch([app_server, ceiling])
            for round_no in range(1, args.rounds + 1):
                for case in active:
                    watch.start()
                    top = measured(ceiling, ceiling_lines, wrk)
                    check_run(bench_cases.Case("ceiling", "", 200, None), top, failures)
                    run = measured(app_server, case.build(), wrk)
                    check_run(case, run, failures)
                    run.update(ceiling_rps=top["rps"], ratio=round(run["rps"] / top["rps"], 3))
                    run["ceiling_cpu_ms"] = top["cpu_ms"]
                    run["cpu_ratio"] = round(top["cpu_ms"] / max(run["cpu_ms"], 0.01), 3)
                    run["foreign_cpu"] = watch.foreign_share()
                    runs[case.name].append(run)
                    print(f"round {round_no} {case.name:14} {run['rps']:8.1f} rps  "
                          f"p50 {run['p50_ms']:6.1f} ms  p99 {run['p99_ms']:6.1f} ms  "
                          f"ceiling {top['rps']:7.1f} rps  ratio {run['ratio']:.3f}  "
                          f"CPU/request {run['cpu_ms']:.1f} ms (ceiling {top['cpu_ms']:.2f})  "
                          f"other jobs {run['foreign_cpu']:.0%} CPU")  # fmt: skip
            for name, case_runs in runs.items():
                if timeouts := sum(r["socket_errors"].get("timeout", 0) for r in case_runs):
                    notes.append(f"{name}: {timeouts} requests took longer than wrk's 10 s")
            shares = [r["foreign_cpu"] for case_runs in runs.values() for r in case_runs]
            noisy = [s for s in shares if s > NOISY]
            if noisy:
                notes.append(
                    f"machine shared: other jobs used more than {NOISY:.0%} of the CPU during "
                    f"{len(noisy)} of {len(shares)} pairs of runs (up to {max(noisy):.0%}); "
                    "those numbers are noisier (foreign_cpu in the JSON)"
                )
            for case in active:
                if case.after:
                    failures += [f"{case.name}: {p}" for p in case.after()]
            if args.smoke:
                failures += [
                    f"real log-in: {p}"
                    for p in report.real_login_vote(fetch, hot.board, hot.question)
                ]
            visit = report.first_visit(
                fetch, f"/boards/{hot.board}?sort=top", sessions.headers(people[0])
            )
        baseline = json.loads(args.baseline.read_text()) if args.baseline else None
        for case in cases:
            entry = {"label": case.label, "expect": case.expect, "target": case.target}
            if case.skipped or case.name not in runs:
                entry["skipped"] = case.skipped or "its first answer was wrong"
            else:
                entry.update(runs=runs[case.name], median=summarise(runs[case.name]))
                entry["met"] = report.met(entry["median"], case.target)
                entry["notes"] = case.notes
                base = (baseline or {}).get("cases", {}).get(case.name, {}).get("median")
                if base:
                    entry["vs_baseline"] = round(entry["median"]["rps"] / base["rps"], 3)
                    if base.get("cpu_ms"):  # the baseline's CPU per request over this run's
                        cpu = max(entry["median"]["cpu_ms"], 0.01)
                        entry["vs_baseline_cpu"] = round(base["cpu_ms"] / cpu, 3)
            result["cases"][case.name] = entry
        result.update(
            memory=app_server.memory(), ceiling_memory=ceiling.memory(), first_visit=visit
        )
        workers = len(app_server.worker_pids())
    finally:
        app_server.stop()
        ceiling.stop()
    result.update(
        meta={"started": started, "scale": args.scale, "database": dialect,
              "commit": git_commit(), "cpus": os.cpu_count(), "workers": workers,
              "connections": args.connections, "threads": args.threads,
              "duration": args.duration, "rounds": args.rounds, "smoke": args.smoke,
              "nice": args.nice,
              "seed": seeded, "hot": vars(hot)},
        baseline=str(args.baseline) if args.baseline else None,
        notes=notes, failures=failures,
    )  # fmt: skip
    print()
    print(report.markdown(result))
    if not args.no_write:
        json_path, md_path = report.write(result)
        print(f"Wrote {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}")
    if failures:
        print(f"FAILED: {len(failures)} problem(s)", file=sys.stderr)
        return 1
    print("Smoke passed." if args.smoke else "All answers correct.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
