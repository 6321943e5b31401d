"""Profile one benchmark case in-process: `python bench/profile.py board --scale medium`.

Runs the case's requests (the same lines wrk sends: a different member each time) through
the real app's test client in a loop under pyinstrument, after a warm-up, on a database that
bench/seed.py filled (it is not reseeded), and prints where the time goes. Also prints the
SQL statements and their time per request. Needs pyinstrument (pip install pyinstrument).
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from app.extensions import db  # noqa: E402
from bench import cases as bench_cases  # noqa: E402
from bench import seed as seeding  # noqa: E402


def _place(path: str) -> str:
    """templates/<file>, app/<module>, or the library's top-level package."""
    path = path or "?"
    for marker in ("/templates/", "/app/"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    return path.rsplit("/", 1)[-1]


def by_place(root) -> Counter:
    """Inclusive time under each template, app module and library, each counted once per
    stack (its outermost frame), so that recursion and nesting are not counted twice."""
    totals: Counter = Counter()
    stack = [(root, frozenset())]
    while stack:
        frame, active = stack.pop()
        place = _place(frame.file_path or "")
        if place not in active:
            totals[place] += frame.time
            active = active | {place}
        stack.extend((child, active) for child in frame.children)
    return totals


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", help="meetings, board, thread, vote, live_304, agenda, ...")
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--database-url")
    parser.add_argument("-n", "--requests", type=int, default=200)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    parser.add_argument("--flat", action="store_true", help="functions by inclusive time")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval, s")
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    app = seeding.bench_app(args.database_url or seeding.default_url(args.scale))
    client = app.test_client(use_cookies=False)
    env = {"REMOTE_ADDR": bench_cases.REMOTE_ADDR}

    def fetch(method, path, headers, body=""):
        r = client.open(path, method=method, headers=headers, data=body, environ_base=env)
        return r.status_code, dict(r.headers), r.get_data()

    with app.app_context():
        hot = bench_cases.find_hot()
        sessions = bench_cases.Sessions(app)
        found = {c.name: c for c in bench_cases.build_cases(app, sessions, hot, fetch)}
        case = found[args.case]
        if case.skipped:
            raise SystemExit(f"{case.name} is skipped: {case.skipped}")
        lines = [bench_cases.parse(line) for line in case.build()]
        db.session.remove()
    statements = []

    def run(count: int, offset: int = 0) -> list[int]:
        statuses = []
        for k in range(count):
            method, path, headers, body = lines[(offset + k) % len(lines)]
            statuses.append(fetch(method, path, headers, body)[0])
        return statuses

    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, params, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        statements.append((time.perf_counter() - conn.info["started"], statement))

    run(20)  # warm-up: templates compiled, caches filled
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = Profiler(interval=args.interval)
    started, cpu_started = time.perf_counter(), time.process_time()
    profiler.start()
    statuses = run(args.requests, offset=20)
    profiler.stop()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    wrong = [s for s in statuses if s != case.expect]
    sql_time = sum(t for t, _ in statements)
    print(f"{case.name}: {args.requests} requests in {elapsed:.2f} s = "
          f"{elapsed / args.requests * 1000:.1f} ms each, {cpu / args.requests * 1000:.1f} ms of "
          "CPU (one process, profiler on); "
          f"{len(statements) / args.requests:.1f} SQL statements and "
          f"{sql_time / args.requests * 1000:.1f} ms of SQL per request; "
          f"{len(wrong)} wrong statuses")  # fmt: skip
    slowest: dict[str, list] = {}
    for took, statement in statements:
        entry = slowest.setdefault(" ".join(statement.split())[:160], [0, 0.0])
        entry[0] += 1
        entry[1] += took
    print("\nSQL by total time (per request):")
    for text, (count, took) in sorted(slowest.items(), key=lambda kv: -kv[1][1])[:8]:
        print(f"  {took / args.requests * 1000:6.2f} ms  x{count / args.requests:.1f}  {text}")
    print("Time under any frame of (outermost per stack; totals overlap):")
    total = profiler.last_session.root_frame().time or 1
    for key, took in by_place(profiler.last_session.root_frame()).most_common(25):
        print(f"  {took / total:6.1%}  {key}")
    print()
    if args.flat:
        text = profiler.output_text(flat=True, flat_time="total", show_all=True)
        print("\n".join(text.splitlines()[:60]))
    else:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        args.html.write_text(profiler.output_html())
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
