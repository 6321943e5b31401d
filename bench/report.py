"""What a benchmark run reports besides speed (first-visit bytes, a real log-in), and how it
writes results: a JSON file and a short Markdown table under bench/results/."""

import gzip
import json
import re
import zlib
from pathlib import Path
from urllib.parse import urlencode

from bench.cases import USER_AGENT
from bench.datagen import BENCH_EMAIL, BENCH_PASSWORD

RESULTS = Path(__file__).resolve().parent / "results"
ASSET = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"')


def _received(headers: dict, body: bytes) -> bytes:
    """The body as the browser uses it, decompressed when the server compressed it."""
    encoding = headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    return zlib.decompress(body) if encoding == "deflate" else body


def _item(path: str, kind: str, headers: dict, body: bytes) -> dict:
    raw = _received(headers, body)
    return {"path": path, "kind": kind, "bytes": len(raw), "sent_bytes": len(body),
            "encoding": headers.get("Content-Encoding", ""),
            "gzip_bytes": len(gzip.compress(raw, 6))}  # fmt: skip


def first_visit(fetch, board_path: str, member_headers: dict) -> dict:
    """Bytes a first visit to a board page transfers: the HTML, then every stylesheet and
    script it references, uncompressed, and as sent to a browser that accepts compression."""
    # Flask-Compress streams static files with deflate (or br/zstd), never gzip; browsers
    # accept all of them, the standard library reads these two.
    ask = {"Accept-Encoding": "gzip, deflate"}
    status, headers, html = fetch("GET", board_path, {**member_headers, **ask}, "")
    _, visitor_headers, visitor_html = fetch(
        "GET", board_path, {"User-Agent": USER_AGENT, **ask}, ""
    )
    items = [_item(board_path, "html", headers, html)]
    page = _received(headers, html).decode()
    for path in dict.fromkeys(ASSET.findall(page)):
        _, asset_headers, body = fetch("GET", path, {"User-Agent": USER_AGENT, **ask}, "")
        items.append(_item(path, "css" if ".css" in path else "js", asset_headers, body))
    return {
        "status": status,
        "items": items,
        "total_bytes": sum(i["bytes"] for i in items),
        "sent_bytes": sum(i["sent_bytes"] for i in items),
        "visitor_html_bytes": len(_received(visitor_headers, visitor_html)),
        "server_compresses": any(item["encoding"] for item in items),
        # What a reverse proxy compressing at gzip level 6 would send (README, deploy step 4).
        "gzip_total_bytes": sum(i["gzip_bytes"] for i in items),
    }


def _cookie(headers: dict) -> str:
    raw = headers.get("Set-Cookie", "")
    return raw.split(";", 1)[0]


def real_login_vote(fetch, board_id: int, question_id: int, member_no: int = 3) -> list[str]:
    """A member logs in through the real form (its CSRF token included) and votes with the
    token the page gives htmx: proof that the forged sessions stand for real ones."""
    problems = []
    ua = {"User-Agent": USER_AGENT}
    status, headers, body = fetch("GET", "/auth/login", ua, "")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or not token:
        return [f"login page answered {status} without a CSRF token"]
    form = {"email": BENCH_EMAIL.format(n=member_no), "password": BENCH_PASSWORD,
            "csrf_token": token.group(1).decode()}  # fmt: skip
    status, headers, _ = fetch(
        "POST", "/auth/login",
        {**ua, "Cookie": _cookie(headers), "Content-Type": "application/x-www-form-urlencoded"},
        urlencode(form),
    )  # fmt: skip
    cookie = _cookie(headers)
    if status != 302 or not cookie:
        return [f"real log-in answered {status} (302 with a session cookie expected)"]
    status, headers, page = fetch("GET", f"/boards/{board_id}", {**ua, "Cookie": cookie}, "")
    # The first page after log-in adds the CSRF secret to the session: keep the new cookie.
    cookie = _cookie(headers) or cookie
    htmx_token = re.search(rb'"X-CSRFToken": "([^"]+)"', page)
    if status != 200 or b"Log out" not in page or not htmx_token:
        return [f"board page after a real log-in answered {status}, not logged in"]
    status, _, _ = fetch(
        "POST", f"/boards/posts/{question_id}/vote",
        {**ua, "Cookie": cookie, "HX-Request": "true", "X-CSRFToken": htmx_token.group(1).decode(),
         "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"next": f"/boards/{board_id}"}),
    )  # fmt: skip
    if status != 200:
        problems.append(f"vote after a real log-in answered {status}")
    return problems


def met(summary: dict, target: dict) -> bool | None:
    if not target or not summary:
        return None
    ok = summary["ratio"] >= target["ratio"]
    if "p99_ms" in target:
        ok = ok and summary["p99_ms"] <= target["p99_ms"]
    return ok


def _target_text(target: dict) -> str:
    if not target:
        return ""
    text = f">= {target['ratio']:.2f}"
    if "p99_ms" in target:
        text += f", p99 < {target['p99_ms']} ms"
    return text


def markdown(result: dict) -> str:
    meta = result["meta"]
    out = [
        f"# Roundtable benchmark: {meta['scale']} scale on {meta['database']}",
        "",
        f"{meta['started']} · commit {meta['commit']} · {meta['cpus']} CPUs · "
        f"{meta['workers']} sync workers · wrk {meta['threads']} threads, "
        f"{meta['connections']} connections · {meta['rounds']} rounds of {meta['duration']} s"
        " · medians over rounds",
        "",
        "CPU ms/req: the app workers' CPU time per answered request; CPU ratio: the ceiling's "
        "CPU per request over the app's (less sensitive to other jobs on the machine).",
        "",
        "| case | rps | p50 ms | p99 ms | ceiling rps | ratio | target | met "
        "| CPU ms/req | CPU ratio |"
        + (" vs baseline (rps) | vs baseline (CPU) |" if result.get("baseline") else ""),
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |"
        + (" ---: | ---: |" if result.get("baseline") else ""),
    ]
    for name, case in result["cases"].items():
        if case.get("skipped"):
            out.append(f"| {name} | skipped: {case['skipped']} | | | | | | | | |")
            continue
        m = case["median"]
        ok = {True: "yes", False: "**no**", None: ""}[case["met"]]
        row = (
            f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
            f"{m['ceiling_rps']:.0f} | {m['ratio']:.3f} | {_target_text(case['target'])} | {ok} "
            f"| {m['cpu_ms']:.1f} | {m['cpu_ratio']:.3f} |"
        )
        if result.get("baseline"):
            for key in ("vs_baseline", "vs_baseline_cpu"):
                versus = case.get(key)
                row += f" {versus:.2f} |" if versus is not None else " |"
        out.append(row)
    memory = result.get("memory", {})
    if memory:
        out += [
            "",
            f"Worker memory after the run: {memory['workers']} workers, RSS "
            f"{', '.join(f'{x:.0f}' for x in memory['rss_mb_each'])} MB (max "
            f"{memory['rss_mb_max']:.0f}, sum {memory['rss_mb_sum']:.0f}; PSS sum "
            f"{memory['pss_mb_sum']:.0f} MB). Ceiling workers: RSS max "
            f"{result['ceiling_memory']['rss_mb_max']:.0f} MB.",
        ]
    visit = result.get("first_visit")
    if visit:
        parts = ", ".join(
            f"{'HTML' if i['kind'] == 'html' else i['path'].rsplit('/', 1)[-1]} {i['bytes']:,}"
            for i in visit["items"]
        )
        out += [
            "",
            f"First board visit: {visit['total_bytes']:,} bytes uncompressed ({parts}); "
            + (f"the server compresses: {visit['sent_bytes']:,} bytes sent."
               if visit["server_compresses"] else
               f"the app server does not compress; gzip -6 at a proxy: "
               f"{visit['gzip_total_bytes']:,} bytes."),
        ]  # fmt: skip
    for note in result.get("notes", []):
        out.append(f"\n- {note}")
    if result.get("failures"):
        out += ["", "## Failures", *[f"- {f}" for f in result["failures"]]]
    return "\n".join(out) + "\n"


def write(result: dict, directory: Path = RESULTS) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    meta = result["meta"]
    when = meta["started"].replace(":", "").replace("-", "")[:15]
    stem = f"{when}-{meta['scale']}-{meta['database']}"
    json_path = directory / f"{stem}.json"
    md_path = directory / f"{stem}.md"
    json_path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path
