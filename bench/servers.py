"""Processes of a benchmark run: gunicorn serving the app and the ceiling exactly as
gunicorn.conf.py deploys them, wrk driving them, and the workers' memory read from /proc."""

import http.client
import json
import os
import resource
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk" / "rotate.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_path() -> str:
    """gunicorn from the virtual environment running this script (else from PATH)."""
    beside = Path(sys.executable).parent / "gunicorn"
    found = str(beside) if beside.exists() else shutil.which("gunicorn")
    if not found:
        raise SystemExit("gunicorn not found: install the project (pip install -e .)")
    return found


def fetch(port: int, method: str, path: str, headers: dict, body: str = ""):
    """One request; returns (status, headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Server:
    """One gunicorn master started with gunicorn.conf.py; its access log goes to a file."""

    def __init__(self, name: str, target: str, env: dict, log_dir: Path, nice: int = 0):
        self.name = name
        self.nice = nice
        self.target = target
        self.port = free_port()
        self.env = {**os.environ, **env, "BIND": f"127.0.0.1:{self.port}"}
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str, timeout: float = 60) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [gunicorn_path(), "-c", str(ROOT / "gunicorn.conf.py"), self.target],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_niced(self.nice),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                status, _, _ = fetch(self.port, "GET", ready_path, {})
                if status == 200 and len(self.worker_pids()) >= self.expected_workers():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def wait_idle(self, timeout: float = 120) -> float:
        """Wait until the requests a wrk run left queued are answered (nothing waiting to be
        accepted, every worker asleep, three checks in a row), so that one case's backlog does
        not slow the next; returns the seconds waited."""
        started = time.monotonic()
        quiet = 0
        while quiet < 3 and time.monotonic() - started < timeout:
            busy = _accept_queue(self.port) > 0 or any(
                _state(pid) == "R" for pid in self.worker_pids()
            )
            quiet = 0 if busy else quiet + 1
            time.sleep(0.05)
        return round(time.monotonic() - started, 2)

    def cpu_seconds(self) -> float:
        """CPU time the master and its workers have used so far."""
        pids = [self.process.pid, *self.worker_pids()]
        return sum(_process_ticks(pid) for pid in pids) / os.sysconf("SC_CLK_TCK")

    def expected_workers(self) -> int:
        # As gunicorn.conf.py counts them (it reads WEB_CONCURRENCY from the environment).
        if concurrency := self.env.get("WEB_CONCURRENCY"):
            return int(concurrency)
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def memory(self) -> dict:
        """Each worker's RSS and PSS (shared pages split between the processes sharing them)."""
        workers = []
        for pid in self.worker_pids():
            workers.append({"pid": pid, **_memory_of(pid)})
        rss = [w["rss_mb"] for w in workers]
        return {
            "workers": len(workers),
            "rss_mb_each": rss,
            "rss_mb_max": max(rss, default=0),
            "rss_mb_sum": round(sum(rss), 1),
            "pss_mb_sum": round(sum(w["pss_mb"] for w in workers), 1),
            "master_rss_mb": _memory_of(self.process.pid)["rss_mb"],
        }

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "?"


def _accept_queue(port: int) -> int:
    """Connections waiting to be accepted on 127.0.0.1:port (the rx_queue of the LISTEN
    socket in /proc/net/tcp)."""
    wanted = f"0100007F:{port:04X}"
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        if fields[1] == wanted and fields[3] == "0A":  # 0A: LISTEN
            return int(fields[4].split(":")[1], 16)
    return 0


def _niced(nice: int):
    """A preexec_fn giving the child (and so its workers) this scheduling priority."""
    if not nice:
        return None
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


def _memory_of(pid: int) -> dict:
    values = {"rss_mb": 0.0, "pss_mb": 0.0}
    try:
        for text_line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if text_line.startswith("VmRSS:"):
                values["rss_mb"] = round(int(text_line.split()[1]) / 1024, 1)
        for text_line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if text_line.startswith("Pss:"):
                values["pss_mb"] = round(int(text_line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return values


def _busy_ticks() -> int:
    """CPU time the whole machine spent busy so far (all CPUs), in clock ticks."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


class CpuWatch:
    """How much of the machine other jobs used while we measured: the busy CPU time of the
    whole machine minus that of our servers, wrk and this process, as a share of all CPU
    time. On a shared machine this says which runs to distrust."""

    def __init__(self, watched: list["Server"]):
        self.watched = watched
        self.hz = os.sysconf("SC_CLK_TCK")

    def _ours(self) -> int:
        pids = [pid for s in self.watched for pid in [s.process.pid, *s.worker_pids()]]
        mine = sum(_process_ticks(pid) for pid in pids)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        me = resource.getrusage(resource.RUSAGE_SELF)
        seconds = children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime
        return mine + int(seconds * self.hz)

    def start(self) -> None:
        self.began = (time.monotonic(), _busy_ticks(), self._ours())

    def foreign_share(self) -> float:
        began, busy, ours = self.began
        elapsed = time.monotonic() - began
        foreign = (_busy_ticks() - busy) - (self._ours() - ours)
        return round(max(foreign, 0) / (elapsed * self.hz * os.cpu_count()), 3)


def run_wrk(
    port: int, lines: list[str], *, duration: int, connections: int, threads: int, nice: int = 0
) -> dict:
    """Drive 127.0.0.1:port with wrk for duration seconds, rotating through lines."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
        requests_file = fh.name
    try:
        result = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
             "-s", str(LUA), f"http://127.0.0.1:{port}/"],
            env={**os.environ, "BENCH_REQUESTS": requests_file, "BENCH_THREADS": str(threads)},
            capture_output=True, text=True, timeout=duration + 60, check=False,
            preexec_fn=_niced(nice),
        )  # fmt: skip
    finally:
        os.unlink(requests_file)
    for out_line in result.stdout.splitlines():
        if out_line.startswith("BENCH_JSON "):
            raw = json.loads(out_line[len("BENCH_JSON ") :])
            break
    else:
        raise RuntimeError(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(latency["p50"] / 1000, 1),
        "p90_ms": round(latency["p90"] / 1000, 1),
        "p99_ms": round(latency["p99"] / 1000, 1),
        "max_ms": round(latency["max"] / 1000, 1),
        "kb_per_request": round(raw["bytes"] / max(raw["requests"], 1) / 1024, 1),
        "statuses": {int(k): v for k, v in raw["statuses"].items()},
        "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status" and v},
    }
