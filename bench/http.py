"""HTTP benchmark of `ctgraph serve` against rdflib-endpoint and oxigraph serve, on the same data, in one run.

A benchmark, not a test: it starts every server on 127.0.0.1 (free ports), loads the same triples
into each, checks that each returns the same number of solutions for each query, then loads each
server in turn with the same query at N connections for a fixed time (wrk if installed, else a
Python keep-alive client), interleaved query by query so that machine noise hits all servers alike.
It prints successful requests/s, p50 and p99 latency and errors per query and server, the ratios
ctgraph/rdflib-endpoint and ctgraph/oxigraph, and the targets of issue 3 marked met or not met.

    python bench/http.py --graph seed
    python bench/http.py --graph synthetic --triples 100000 --json /tmp/bench.json

See bench/README.md for what each server is and how to read the numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/http.py`, this file's folder comes first on sys.path and would shadow the
# standard library's `http` package (which urllib needs); move the folder to the end.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))

import argparse  # noqa: E402 - after the sys.path fix above
import contextlib  # noqa: E402
import ctypes  # noqa: E402
import http.client  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from types import FrameType, ModuleType  # noqa: E402

__all__ = ["QUERIES", "SERVERS", "LoadResult", "main"]

HOST = "127.0.0.1"
ACCEPT = "application/sparql-results+json"
REPO = _HERE.parent

_PREFIXES = """PREFIX ctg: <https://w3id.org/ctgraph/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""

#: The five query kinds of issue 3. Each is non-empty on the seed graph and on the synthetic graph
#: (which contains the seed data), and none depends on named graphs, so every server answers it from
#: its default graph (the union of all files).
QUERIES: dict[str, str] = {
    "lookup": _PREFIXES
    + "SELECT ?p ?o WHERE { <https://w3id.org/ctgraph/id/person/vladimir-voronkov> ?p ?o }",
    "join3": _PREFIXES
    + """SELECT ?dialogue ?person ?post ?unit WHERE {
  ?dialogue prov:qualifiedAssociation ?participation .
  ?participation prov:agent ?person ; prov:hadRole <https://w3id.org/ctgraph/vocab/role/co-chair> .
  ?person org:holds ?post .
  ?post org:postIn ?unit .
}""",
    "filter": _PREFIXES
    + """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "terrorist travel"))
}""",
    "groupby": _PREFIXES
    + """SELECT ?role (COUNT(DISTINCT ?person) AS ?people) (COUNT(?participation) AS ?n) WHERE {
  ?participation a ctg:Participation ; prov:hadRole ?role ; prov:agent ?person .
} GROUP BY ?role ORDER BY DESC(?n)""",
    "optional": _PREFIXES
    + """SELECT ?person ?name ?post ?postLabel WHERE {
  ?person a schema:Person ; schema:name ?name .
  OPTIONAL { ?person org:holds ?post . ?post rdfs:label ?postLabel }
} ORDER BY ?name ?postLabel LIMIT 100""",
}
_COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

#: Server variants, in the order they are run within each query.
SERVERS = (
    "ctgraph",
    "ctgraph-nocache",
    "rdflib-endpoint",
    "rdflib-endpoint-oxigraph",
    "oxigraph",
    "oxigraph-memory",
)
#: The servers ctgraph is compared with, and those of them that are oxigraph serve (for latency ratios).
REFERENCES = ("rdflib-endpoint", "rdflib-endpoint-oxigraph", "oxigraph", "oxigraph-memory")
OXIGRAPHS = ("oxigraph", "oxigraph-memory")
_DEFAULT_SERVERS = SERVERS

#: The targets of issue 3, section 8, at 8 connections: (query, measure, reference server, bound, kind).
TARGETS = (
    ("lookup", "throughput", "rdflib-endpoint", 5.0, ">="),
    ("lookup", "throughput", "oxigraph", 0.2, ">="),
    ("filter", "p50", "oxigraph", 1.5, "<="),
    ("groupby", "p50", "oxigraph", 1.5, "<="),
    # the same against oxigraph serve holding the data in memory, as ctgraph does (no RocksDB reads)
    ("lookup", "throughput", "oxigraph-memory", 0.2, ">="),
    ("filter", "p50", "oxigraph-memory", 1.5, "<="),
    ("groupby", "p50", "oxigraph-memory", 1.5, "<="),
)

_WRK_SCRIPT = r"""-- written by bench/http.py: one GET per request; counts and percentiles as JSON at the end
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Accept"] = os.getenv("BENCH_ACCEPT")
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


class BenchError(RuntimeError):
    """A server would not start, a tool is missing, or the data could not be prepared."""


def _say(message: str) -> None:
    """Progress goes to stderr, so that stdout holds only the tables."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------- data


@dataclass
class BenchData:
    """The data every server gets: a ctgraph checkout and the union of its graph as Turtle and N-Triples."""

    kind: str
    root: Path
    turtle: Path
    ntriples: Path
    triples: int


def _load_synth() -> ModuleType:
    """Import bench/synth.py by path, so this works whether run as a script or as `python -m bench.http`."""
    spec = importlib.util.spec_from_file_location("ctgraph_bench_synth", _HERE / "synth.py")
    if spec is None or spec.loader is None:
        raise BenchError(f"{_HERE / 'synth.py'}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def prepare_data(kind: str, seed_root: Path, triples: int, workdir: Path) -> BenchData:
    """Build the checkout (seed: the repo; synthetic: generated) and dump its union for the other servers."""
    from ctgraph.load import load_graph
    from ctgraph.paths import resolve_layout

    if kind == "seed":
        root = seed_root
    else:
        root = workdir / "checkout"
        started = time.monotonic()
        result = _load_synth().generate_checkout(seed_root, root, triples)
        _say(
            f"synthetic checkout {root}: {result.synthetic_triples} synthetic triples, {result.dialogues} "
            f"dialogues, {result.source_files} source texts ({time.monotonic() - started:.1f} s)"
        )
    union = load_graph(resolve_layout(root)).union
    turtle, ntriples = workdir / "union.ttl", workdir / "union.nt"
    union.serialize(turtle, format="turtle", encoding="utf-8")
    union.serialize(ntriples, format="nt", encoding="utf-8")
    return BenchData(kind=kind, root=root, turtle=turtle, ntriples=ntriples, triples=len(union))


# ---------------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    """One server variant: how to start it, where its query endpoint is, and its process once started."""

    name: str
    argv: list[str]
    endpoint: str
    log: Path
    prepare: list[list[str]] = field(default_factory=list)  # commands run (bounded) before argv
    upload: tuple[str, Path] | None = None  # (Graph Store URL, N-Triples file) to POST once it is up
    process: subprocess.Popen[bytes] | None = None


def free_port(taken: set[int]) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now and that is not in `taken` (then added)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            taken.add(port)
            return port


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the benchmark dies, so no server outlives it (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _bin(name: str) -> str | None:
    """A console script of this interpreter's environment, else one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def ctgraph_command(root: Path, port: int, extra: Sequence[str], template: str | None) -> list[str]:
    """The command starting ctgraph serve: --ctgraph-cmd if given, else the CLI, else ctgraph.server.run."""
    if template:
        fields = {"python": sys.executable, "host": HOST, "port": str(port), "root": str(root)}
        return [part.format(**fields) for part in shlex.split(template)] + list(extra)
    script = _bin("ctgraph")
    cli = [script] if script else [sys.executable, "-m", "ctgraph.cli"]
    probe = subprocess.run([*cli, "serve", "--help"], capture_output=True, timeout=60, check=False)
    if probe.returncode == 0:
        return [*cli, "serve", "--host", HOST, "--port", str(port), "--root", str(root), *extra]
    if importlib.util.find_spec("ctgraph.server.run") is not None:
        return [
            sys.executable,
            "-m",
            "ctgraph.server.run",
            "--host",
            HOST,
            "--port",
            str(port),
            "--root",
            str(root),
            *extra,
        ]
    raise BenchError(
        f"`{' '.join(cli)} serve --help` failed ({probe.stderr.decode(errors='replace').strip()[-300:]}) and "
        "ctgraph.server.run does not exist; leave ctgraph out with --only, or pass --ctgraph-cmd"
    )


def make_server(
    name: str, data: BenchData, workdir: Path, args: argparse.Namespace, ports: set[int]
) -> Server:
    """The Server for one variant, on a fresh port, with its data."""
    port = free_port(ports)
    log = workdir / f"{name}.log"
    if name in ("ctgraph", "ctgraph-nocache"):
        extra = list(args.ctgraph_arg or [])
        if name == "ctgraph-nocache":
            extra += ["--result-cache-size", "0"]
        argv = ctgraph_command(data.root, port, extra, args.ctgraph_cmd)
        return Server(name, argv, f"http://{HOST}:{port}/sparql", log)
    if name in ("rdflib-endpoint", "rdflib-endpoint-oxigraph"):
        script = _bin("rdflib-endpoint")
        if script is None:
            raise BenchError(
                "rdflib-endpoint is not installed; pip install rdflib-endpoint, or leave it out with --only"
            )
        argv = [script, "serve", str(data.turtle), "--host", HOST, "--port", str(port)]
        if name == "rdflib-endpoint-oxigraph":
            argv += ["--store", "Oxigraph"]
        # rdflib-endpoint 0.6.3 serves SPARQL at "/" (its --help says /sparql, which is a 404)
        return Server(name, argv, f"http://{HOST}:{port}/", log)
    if name == "oxigraph":
        script = _bin("oxigraph")
        if script is None:
            raise BenchError(
                "oxigraph (the PyPI package's CLI) is not installed; pip install oxigraph, or use --only"
            )
        location = workdir / "oxigraph-store"
        load = [script, "load", "--location", str(location), "--file", str(data.ntriples)]
        argv = [script, "serve", "--location", str(location), "--bind", f"{HOST}:{port}"]
        return Server(name, argv, f"http://{HOST}:{port}/query", log, prepare=[load])
    if name == "oxigraph-memory":
        script = _bin("oxigraph")
        if script is None:
            raise BenchError(
                "oxigraph (the PyPI package's CLI) is not installed; pip install oxigraph, or use --only"
            )
        # without --location the store is in memory; `oxigraph load` needs a location, so the data goes
        # in through the Graph Store Protocol once the server is up
        argv = [script, "serve", "--bind", f"{HOST}:{port}"]
        upload = (f"http://{HOST}:{port}/store?default", data.ntriples)
        return Server(name, argv, f"http://{HOST}:{port}/query", log, upload=upload)
    raise BenchError(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")


def start(server: Server, timeout: float) -> None:
    """Run the server's preparation commands, then start it in its own session, logging to its log file."""
    with server.log.open("ab") as log:
        for command in server.prepare:
            log.write(f"$ {shlex.join(command)}\n".encode())
            log.flush()
            done = subprocess.run(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
                preexec_fn=_die_with_parent,
            )  # noqa: PLW1509 - single-threaded here
            if done.returncode != 0:
                raise BenchError(
                    f"{server.name}: `{shlex.join(command)}` exited {done.returncode}; "
                    f"see {server.log}:\n{_tail(server.log)}"
                )
        log.write(f"$ {shlex.join(server.argv)}\n".encode())
        log.flush()
        server.process = subprocess.Popen(  # noqa: S603 - our own argv
            server.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
        )


def _tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return ""


def _group_cpu_seconds(pgid: int) -> float | None:
    """CPU seconds used so far by the live processes of one process group (from /proc), or None off Linux."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[2]) == pgid:  # pgrp; utime and stime are fields[11] and fields[12]
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(server: Server, limit: float, window: float = 0.5, busy: float = 0.1) -> float:
    """Wait until the server uses under `busy` of a core: a slow server keeps evaluating the requests
    that wrk abandoned at the end of a run, and that work must not steal CPU from the next run."""
    if server.process is None:
        return 0.0
    started = time.monotonic()
    before = _group_cpu_seconds(server.process.pid)
    if before is None:
        time.sleep(1.0)
        return 1.0
    while time.monotonic() - started < limit:
        time.sleep(window)
        after = _group_cpu_seconds(server.process.pid)
        if after is None or (after - before) / window < busy:
            break
        before = after
    return time.monotonic() - started


def stop(server: Server) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL after 10 s."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def query_url(endpoint: str, query: str) -> str:
    """The GET URL of a query (SPARQL 1.1 Protocol: the query in the `query` parameter)."""
    return f"{endpoint}?{urllib.parse.urlencode({'query': query})}"


def fetch(endpoint: str, query: str, timeout: float) -> tuple[int, bytes]:
    """One GET of a query asking for SPARQL JSON results: (status, body); status 0 if no HTTP answer came."""
    request = urllib.request.Request(query_url(endpoint, query), headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def _upload(server: Server, timeout: float) -> None:
    """POST the server's N-Triples file to its Graph Store endpoint (into the default graph)."""
    assert server.upload is not None
    url, path = server.upload
    request = urllib.request.Request(
        url, data=path.read_bytes(), method="POST", headers={"Content-Type": "application/n-triples"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise BenchError(f"{server.name}: loading {path} through {url} failed: {exc}") from exc


def wait_ready(server: Server, timeout: float) -> float:
    """Poll with ASK {} until the server answers 200; raise with its log if it exits or the time runs out."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.process is not None and server.process.poll() is not None:
            raise BenchError(
                f"{server.name} exited with {server.process.returncode} before it was ready; "
                f"see {server.log}:\n{_tail(server.log)}"
            )
        status, _ = fetch(server.endpoint, "ASK {}", timeout=5)
        if status == 200:
            if server.upload is not None:
                _upload(server, timeout)
            return time.monotonic() - started
        time.sleep(0.25)
    raise BenchError(
        f"{server.name} was not ready after {timeout:.0f} s (raise --startup-timeout); "
        f"see {server.log}:\n{_tail(server.log)}"
    )


def count_solutions(endpoint: str, query: str, timeout: float) -> tuple[int, int | None, str]:
    """(HTTP status, number of solutions or None, message) for one query."""
    status, body = fetch(endpoint, query, timeout)
    if status != 200:
        return status, None, body[:200].decode("utf-8", errors="replace")
    try:
        parsed = json.loads(body)
        if "boolean" in parsed:
            return status, int(bool(parsed["boolean"])), ""
        return status, len(parsed["results"]["bindings"]), ""
    except (ValueError, KeyError, TypeError) as exc:
        return status, None, f"not SPARQL JSON results: {exc}"


def first_value(endpoint: str, query: str, timeout: float) -> str | None:
    """The value of the first binding of the first solution, or None."""
    status, body = fetch(endpoint, query, timeout)
    if status != 200:
        return None
    with contextlib.suppress(ValueError, KeyError, IndexError, TypeError, StopIteration):
        row = json.loads(body)["results"]["bindings"][0]
        return str(next(iter(row.values()))["value"])
    return None


# ---------------------------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    """One load run: counts, and latency percentiles in milliseconds (None when nothing succeeded)."""

    requests: int
    ok: int
    non_2xx: int
    socket_errors: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors

    @property
    def ok_per_s(self) -> float:
        """Successful (2xx/3xx) responses per second: error answers never count as throughput."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0


def run_wrk(
    wrk: str, script: Path, url: str, duration: float, connections: int, threads: int, timeout: float
) -> LoadResult:
    """Load one URL with wrk and read the JSON summary that the Lua script prints."""
    parsed = urllib.parse.urlsplit(url)
    env = dict(os.environ, BENCH_PATH=f"{parsed.path}?{parsed.query}", BENCH_ACCEPT=ACCEPT)
    argv = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={timeout:g}s",
        "--latency",
        "-s",
        str(script),
        f"{parsed.scheme}://{parsed.netloc}/",
    ]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env=env,
        timeout=duration + timeout + 60,
        check=False,
        preexec_fn=_die_with_parent,
    )  # noqa: PLW1509 - no threads running
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(
            f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:] or done.stdout[-500:]}"
        )
    summary = json.loads(line.removeprefix("BENCH_JSON "))
    socket_errors = summary["connect"] + summary["read"] + summary["write"] + summary["timeout"]
    requests = summary["requests"]
    # wrk's `requests` counts completed responses (non-2xx included); timeouts are not in it
    ok = max(0, requests - summary["status"])
    have_latency = ok > 0
    return LoadResult(
        requests=requests,
        ok=ok,
        non_2xx=summary["status"],
        socket_errors=socket_errors,
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000 if have_latency else None,
        p99_ms=summary["p99_us"] / 1000 if have_latency else None,
    )


def run_python_client(url: str, duration: float, connections: int, timeout: float) -> LoadResult:
    """Load one URL from `connections` threads, each with one keep-alive HTTP/1.1 connection."""
    parsed = urllib.parse.urlsplit(url)
    target = f"{parsed.path}?{parsed.query}"
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"requests": 0, "ok": 0, "non_2xx": 0, "socket": 0}
    deadline = time.monotonic() + duration

    def worker() -> None:
        mine: list[float] = []
        local = {"requests": 0, "ok": 0, "non_2xx": 0, "socket": 0}
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept": ACCEPT})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                local["socket"] += 1
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
                continue
            elapsed = time.perf_counter() - began
            local["requests"] += 1
            if 200 <= response.status < 400:
                local["ok"] += 1
                mine.append(elapsed)
            else:
                local["non_2xx"] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for key, value in local.items():
                counts[key] += value

    began = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout + 10)
    seconds = time.monotonic() - began
    latencies.sort()

    def percentile(q: float) -> float | None:
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, max(0, round(q * len(latencies)) - 1))] * 1000

    return LoadResult(
        requests=counts["requests"],
        ok=counts["ok"],
        non_2xx=counts["non_2xx"],
        socket_errors=counts["socket"],
        seconds=seconds,
        p50_ms=percentile(0.50),
        p99_ms=percentile(0.99),
    )


# ---------------------------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def render(report: dict) -> str:
    """The tables of one run, as printed."""
    servers: list[str] = report["servers"]
    results: dict[str, dict[str, dict]] = report["results"]
    out = [
        f"graph: {report['graph']} ({report['triples']:,} triples), {report['connections']} connections, "
        f"{report['duration']:g} s per run after {report['warmup']:g} s warm-up, client: {report['client']}",
        "",
    ]
    rows = []
    for query in report["queries"]:
        for server in servers:
            r = results[query].get(server)
            if r is None:
                continue
            load = r["load"]
            errors = load["non_2xx"] + load["socket_errors"]
            rows.append(
                [
                    query,
                    server,
                    "-" if r["solutions"] is None else str(r["solutions"]),
                    _fmt(load["ok"] / load["seconds"] if load["seconds"] else None),
                    _fmt(load["p50_ms"], 2),
                    _fmt(load["p99_ms"], 2),
                    str(errors) if not errors else f"{errors} !",
                ]
            )
    out.append(
        _table(
            ["query", "server", "solutions", "req/s", "p50 ms", "p99 ms", "errors"],
            rows,
            [False, False, True, True, True, True, True],
        )
    )
    ctgraphs = [s for s in servers if s.startswith("ctgraph")]
    others = [s for s in REFERENCES if s in servers]
    oxigraphs = [s for s in OXIGRAPHS if s in servers]
    if ctgraphs and others:
        out += ["", "ratios from this run (throughput: higher is better for ctgraph; p50: lower is better)"]
        headers = ["query", "server"] + [f"req/s ÷ {o}" for o in others] + [f"p50 ÷ {o}" for o in oxigraphs]
        rows = []
        for query in report["queries"]:
            for mine in ctgraphs:
                ratios = report["ratios"][query][mine]
                row = [query, mine]
                row += [_fmt(ratios.get(f"throughput/{other}"), 2) for other in others]
                row += [_fmt(ratios.get(f"p50/{other}"), 2) for other in oxigraphs]
                rows.append(row)
        out.append(_table(headers, rows, [False, False] + [True] * (len(headers) - 2)))
    if report["targets"]:
        out += ["", "targets of issue 3 (8 connections)"]
        rows = [
            [t["server"], t["query"], t["target"], _fmt(t["value"], 2), t["verdict"]]
            for t in report["targets"]
        ]
        out.append(
            _table(
                ["server", "query", "target", "measured", "verdict"], rows, [False, False, False, True, False]
            )
        )
    if report["warnings"]:
        out += ["", *(f"WARNING: {w}" for w in report["warnings"])]
    return "\n".join(out) + "\n"


def compute_ratios_and_targets(report: dict) -> None:
    """Fill report['ratios'] and report['targets'] from report['results']."""
    servers, results = report["servers"], report["results"]

    def load(query: str, server: str) -> dict | None:
        entry = results[query].get(server)
        return entry["load"] if entry else None

    def ok_rate(entry: dict | None) -> float | None:
        return entry["ok"] / entry["seconds"] if entry and entry["seconds"] else None

    ratios: dict[str, dict[str, dict[str, float | None]]] = {}
    for query in report["queries"]:
        ratios[query] = {}
        for mine in (s for s in servers if s.startswith("ctgraph")):
            ours = load(query, mine)
            row: dict[str, float | None] = {}
            for other in REFERENCES:
                theirs = load(query, other)
                if ours is None or theirs is None:
                    continue
                row[f"throughput/{other}"] = _ratio(ok_rate(ours), ok_rate(theirs))
                if other in OXIGRAPHS:
                    row[f"p50/{other}"] = _ratio(ours["p50_ms"], theirs["p50_ms"])
            ratios[query][mine] = row
    report["ratios"] = ratios
    targets = []
    for mine in (s for s in servers if s.startswith("ctgraph")):
        for query, measure, reference, bound, kind in TARGETS:
            if query not in ratios or reference not in servers:
                continue
            key = f"throughput/{reference}" if measure == "throughput" else f"p50/{reference}"
            value = ratios[query][mine].get(key)
            ours = load(query, mine)
            text = (
                f"req/s ≥ {bound:g}× {reference}"
                if measure == "throughput"
                else f"p50 ≤ {bound:g}× {reference}"
            )
            if value is None:
                verdict = "no data"
            elif ours is not None and ours["non_2xx"] + ours["socket_errors"] > 0:
                verdict = "NOT MET (errors)"
            elif (value >= bound) if kind == ">=" else (value <= bound):
                verdict = "met"
            else:
                verdict = "NOT MET"
            targets.append(
                {"server": mine, "query": query, "target": text, "value": value, "verdict": verdict}
            )
    report["targets"] = targets


# ---------------------------------------------------------------------------------------------- run


def _raise_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="servers: " + ", ".join(SERVERS) + "\nqueries: " + ", ".join(QUERIES),
    )
    parser.add_argument(
        "--graph",
        choices=("seed", "synthetic"),
        default="seed",
        help="seed: the repository's own data; synthetic: a generated graph shaped like it",
    )
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic graph size (about)")
    parser.add_argument(
        "--root", type=Path, default=REPO, help="the ctgraph checkout to read (default: this repo)"
    )
    parser.add_argument("--only", default=",".join(_DEFAULT_SERVERS), help="comma-separated servers to run")
    parser.add_argument("--queries", default=",".join(QUERIES), help="comma-separated queries to run")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per query and server")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of unmeasured load before each run"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the built-in Python client",
    )
    parser.add_argument(
        "--wrk-threads",
        type=int,
        default=1,
        help="wrk threads (1 leaves the cores to the servers; wrk is not the bottleneck)",
    )
    parser.add_argument(
        "--request-timeout", type=float, default=30.0, help="seconds before a request counts as lost"
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=120.0,
        help="seconds to wait, after each run, for the server to finish the requests the client abandoned",
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=600.0, help="seconds each server may take to start"
    )
    parser.add_argument(
        "--ctgraph-arg",
        action="append",
        metavar="ARG",
        help="extra argument for ctgraph serve (repeatable), e.g. --ctgraph-arg=--no-validate",
    )
    parser.add_argument(
        "--ctgraph-cmd",
        metavar="CMD",
        help="command that starts ctgraph, with {python} {host} {port} {root} placeholders",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, dumps, checkout)")
    args = parser.parse_args(argv)
    args.servers = [s.strip() for s in args.only.split(",") if s.strip()]
    args.query_names = [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [s for s in args.servers if s not in SERVERS] + [
        q for q in args.query_names if q not in QUERIES
    ]
    if unknown:
        parser.error(f"unknown server or query: {', '.join(unknown)}")
    if args.duration <= 0 or args.connections < 1:
        parser.error("--duration must be > 0 and --connections ≥ 1")
    return args


def _loader(args: argparse.Namespace, workdir: Path) -> tuple[str, Callable[[str, float], LoadResult]]:
    """The load generator chosen by --client, with its description."""
    wrk = shutil.which("wrk")
    if args.client == "wrk" and wrk is None:
        raise BenchError("--client wrk: wrk is not installed (apt-get install wrk)")
    if args.client != "python" and wrk is not None:
        script = workdir / "bench.lua"
        script.write_text(_WRK_SCRIPT, encoding="utf-8")
        threads = max(1, min(args.wrk_threads, args.connections))

        def with_wrk(url: str, seconds: float) -> LoadResult:
            return run_wrk(wrk, script, url, seconds, args.connections, threads, args.request_timeout)

        return f"wrk ({threads} thread{'s' if threads > 1 else ''})", with_wrk

    def with_python(url: str, seconds: float) -> LoadResult:
        return run_python_client(url, seconds, args.connections, args.request_timeout)

    return "python (threads, keep-alive)", with_python


def run(args: argparse.Namespace, workdir: Path, servers: list[Server]) -> dict:
    """Prepare data, start servers (appending to `servers` so the caller can stop them), measure, report."""
    data = prepare_data(args.graph, args.root.resolve(), args.triples, workdir)
    _say(f"data: {data.triples} triples from {data.root}; dumps in {workdir}")
    client, load = _loader(args, workdir)
    ports: set[int] = set()
    for name in args.servers:
        server = make_server(name, data, workdir, args, ports)
        servers.append(server)
        _say(f"starting {name}: {shlex.join(server.argv)}")
        start(server, args.startup_timeout)
    for server in servers:
        took = wait_ready(server, args.startup_timeout)
        _say(f"{server.name} ready at {server.endpoint} ({took:.1f} s after the others)")
    warnings: list[str] = []
    # the same data everywhere: every server must count the same triples in its default graph
    triple_counts = {s.name: first_value(s.endpoint, _COUNT_TRIPLES, args.request_timeout) for s in servers}
    if len(set(triple_counts.values())) != 1 or str(data.triples) not in triple_counts.values():
        warnings.append(f"default-graph triple counts differ (loaded {data.triples}): {triple_counts}")
    results: dict[str, dict[str, dict]] = {q: {} for q in args.query_names}
    for query_name in args.query_names:
        query = QUERIES[query_name]
        counts: dict[str, int | None] = {}
        for server in servers:
            status, solutions, message = count_solutions(server.endpoint, query, args.request_timeout)
            counts[server.name] = solutions
            if status != 200 or solutions is None:
                warnings.append(f"{query_name} on {server.name}: HTTP {status} {message}".strip())
            elif solutions == 0:
                warnings.append(f"{query_name} on {server.name}: no solutions (the query should match)")
            url = query_url(server.endpoint, query)
            if args.warmup > 0:
                load(url, args.warmup)
                wait_idle(server, args.idle_timeout)
            result = load(url, args.duration)
            drained = wait_idle(server, args.idle_timeout)
            results[query_name][server.name] = {
                "solutions": solutions,
                "status": status,
                "load": asdict(result),
                "busy_after_s": round(drained, 1),
            }
            if result.requests == 0:
                warnings.append(
                    f"{query_name} on {server.name}: no request completed in {args.duration:g} s "
                    "(raise --duration for a measurement)"
                )
            _say(
                f"{query_name:9} {server.name:25} {result.ok_per_s:10.1f} req/s"
                f"  p50 {_fmt(result.p50_ms, 2):>8} ms"
                f"  errors {result.errors}  busy {drained:.1f} s after the run"
            )
        if len({c for c in counts.values()}) > 1:
            warnings.append(f"{query_name}: servers disagree on the number of solutions: {counts}")
    report = {
        "graph": args.graph,
        "triples": data.triples,
        "connections": args.connections,
        "duration": args.duration,
        "warmup": args.warmup,
        "client": client,
        "servers": [s.name for s in servers],
        "queries": args.query_names,
        "queries_text": QUERIES,
        "commands": {s.name: s.argv for s in servers},
        "endpoints": {s.name: s.endpoint for s in servers},
        "triple_counts": triple_counts,
        "results": results,
        "warnings": warnings,
    }
    compute_ratios_and_targets(report)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; stop every server it started, whatever happens."""
    args = _parse_args(argv)
    # SIGTERM, and SIGINT even when started in the background (where SIGINT is inherited as ignored),
    # raise KeyboardInterrupt so that the finally clause stops every server.
    previous = {sig: signal.signal(sig, _raise_on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    workdir = Path(tempfile.mkdtemp(prefix="ctgraph-bench-"))
    servers: list[Server] = []
    try:
        report = run(args, workdir, servers)
        sys.stdout.write(render(report))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            _say(f"wrote {args.json}")
        return 0
    except BenchError as exc:
        _say(f"bench: error: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("bench: interrupted; stopping servers")
        return 130
    finally:
        for server in servers:
            stop(server)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if args.keep:
            _say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
