"""Start-up benchmark: how long `llrc serve` takes to answer, and what its first search costs.

    .venv/bin/python bench/startup.py --data-dir /tmp/llrc-bench-search-XXXX   # a catalogue bench/search.py kept
    .venv/bin/python bench/startup.py                                          # the demo, built first
    ... --write-results                                                         # its section of RESULTS.md

Each round starts the server on a free port and measures, over HTTP, from the moment the process starts:

- **listening**: until /healthz answers;
- **first search at once**: a search asked as soon as the server listens, which waits for whatever the
  search stack has not loaded yet (the Chinese-English dictionary, the sentence encoder, the index, the
  vector store), so it shows the cost a reader meets when the warm-up has not finished;
- **warmed up**: until the server reports `search warmed up` (llrc.search.services.warm_up, started by
  `llrc serve` in a thread as it starts listening);
- **first search after warm-up**, in a second start of the server, asked once it reports the warm-up;
- **second search**: another query right after, for comparison.

The queries differ between the two starts and from any earlier round (answers are remembered per process,
so a repeat would not be a first answer anyway). The page cache is left as it is: a restart on a running
machine finds the index files in memory; a cold boot would add the disk reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # bench/search.py, imported as `search`

import search as bench  # noqa: E402 - needs the path above

LLRC = [str(ROOT / ".venv" / "bin" / "llrc")]
QUERIES = [
    "community learning centres",
    "adult literacy women",
    "社区教育 老年",
    "digital skills older people",
    "学习型城市建设",
    "recognition of prior learning",
    "vocational training rural",
    "family literacy",
    "open university distance education",
    "终身学习 政策",
    "migrant workers education",
    "teacher training lifelong",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 120.0) -> float:
    """Seconds to fetch `url` whole; raises on anything but 200."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started


class Server:
    """`llrc serve` on a free port, its output read line by line."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"LLRC_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*LLRC, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def since_start(self) -> float:
        return time.perf_counter() - self.started

    def wait_listening(self, timeout: float = 300.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llrc serve ended with {self.process.returncode}")
            try:
                get(self.base + "/healthz", timeout=5)
                return self.since_start()
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("llrc serve did not answer in time")

    def wait_warmed(self, timeout: float = 300.0) -> float:
        """Seconds from start until the warm-up is reported."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if "search warmed up" in line:
                return self.since_start()
        raise RuntimeError("llrc serve never reported its warm-up")

    def search(self, query: str) -> float:
        return get(f"{self.base}/en/search?{urllib.parse.urlencode({'q': query})}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def one_round(data_dir: Path, queries: list[str]) -> dict[str, float]:
    row: dict[str, float] = {}
    server = Server(data_dir)
    try:
        row["listening"] = server.wait_listening()
        row["first_at_once"] = server.search(queries[0])
        row["warmed"] = server.wait_warmed()
    finally:
        server.stop()
    server = Server(data_dir)
    try:
        server.wait_listening()
        server.wait_warmed()
        row["first_after_warm_up"] = server.search(queries[1])
        row["second"] = server.search(queries[2])
    finally:
        server.stop()
    return row


def demo_data_dir() -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="llrc-bench-startup-"))
    env = os.environ | {"LLRC_DATA_DIR": str(data_dir)}
    subprocess.run([*LLRC, "init", "--demo"], env=env, check=True, capture_output=True)
    return data_dir


def count_records(data_dir: Path) -> int:
    code = (
        "import django; django.setup(); from llrc.catalogue.models import Resource; "
        "print(Resource.objects.count())"
    )
    env = os.environ | {"LLRC_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "llrc.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip().splitlines()[-1])


def report(rows: list[dict[str, float]], records: int, demo: bool) -> str:
    def median_ms(key: str) -> str:
        return f"{statistics.median(r[key] for r in rows) * 1000:,.0f}"

    def spread_ms(key: str) -> str:
        values = sorted(r[key] * 1000 for r in rows)
        return f"{values[0]:,.0f}-{values[-1]:,.0f}"

    info = bench.machine()
    lines = [
        f"## Start-up, {records:,} records ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- Machine: {info['cpu']}, {info['cores']}, {info['ram']} RAM, {info['os']}; "
        f"Python {info['python']}",
        f"- Code: {bench.working_tree_version()}; command `bench/startup.py "
        + (
            "` (the demo, built by `llrc init --demo`)"
            if demo
            else "--data-dir ...` (a catalogue kept by bench/search.py)"
        ),
        f"- {len(rows)} rounds, each two starts of `llrc serve`; medians, with the range over rounds; "
        "page cache as the machine had it",
        "",
        "| from the start of the process | median ms | range |",
        "|---|---:|---:|",
        f"| listening (/healthz answers) | {median_ms('listening')} | {spread_ms('listening')} |",
        f"| search stack warmed up (reported by the server) | {median_ms('warmed')} | "
        f"{spread_ms('warmed')} |",
        "",
        "| one search over HTTP | median ms | range |",
        "|---|---:|---:|",
        f"| first search, asked as soon as the server listens | {median_ms('first_at_once')} | "
        f"{spread_ms('first_at_once')} |",
        f"| first search, asked after the warm-up | {median_ms('first_after_warm_up')} | "
        f"{spread_ms('first_after_warm_up')} |",
        f"| the search after it | {median_ms('second')} | {spread_ms('second')} |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an LLRC_DATA_DIR with a catalogue and index")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    if args.rounds < 1 or args.rounds * 3 > len(QUERIES):
        parser.error(f"--rounds must be between 1 and {len(QUERIES) // 3}")
    demo = args.data_dir is None
    data_dir = demo_data_dir() if demo else args.data_dir
    if not (data_dir / "llrc.sqlite3").exists() and not os.environ.get("DATABASE_URL"):
        parser.error(f"{data_dir} holds no catalogue (llrc.sqlite3)")
    records = count_records(data_dir)
    rows = []
    for n in range(args.rounds):
        row = one_round(data_dir, QUERIES[n * 3 : n * 3 + 3])
        print({k: round(v, 3) for k, v in row.items()}, flush=True)
        rows.append(row)
    text = report(rows, records, demo)
    print(text)
    if args.write_results:
        bench.write_results(text, records, kind="bench-startup")


if __name__ == "__main__":
    main()
