"""The query engine: worker processes, each with an in-memory Oxigraph store, replaced past the time limit.

Why processes: ``pyoxigraph.Store.query`` cannot be cancelled or given a timeout, and its iterators must be
consumed on the thread that made them. A worker runs one query at a time with Oxigraph's own engine,
serializes the result itself and returns bytes; the parent kills a worker whose query outlives the time limit
and starts a new one, while the other workers keep answering.

Frames on the parent–worker socket are a 4-byte big-endian length and a pickle (both ends are this module).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

__all__ = [
    "Job",
    "Outcome",
    "EngineError",
    "EngineTimeout",
    "EngineBusy",
    "EngineSyntaxError",
    "EngineCrashed",
    "EngineEvaluationError",
    "NoAcceptableFormat",
    "QueryEngine",
]

_log = logging.getLogger(__name__)
_HEADER = struct.Struct(">I")


@dataclass(frozen=True)
class Job:
    """One query for a worker; formats are engine names (``json``, ``turtle``…), None if unacceptable."""

    query: str
    tabular_format: str | None
    graph_format: str | None
    union_default: bool = True
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: the serialized body, which kind of result it was, and whether rows were cut."""

    body: bytes
    kind: str  # "tabular" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    truncated: bool
    seconds: float


class EngineError(Exception):
    """A query the engine could not answer."""


class EngineTimeout(EngineError):
    """The query outlived the time limit; its worker was killed."""


class EngineBusy(EngineError):
    """Too many queries at once, or no worker freed up in time."""


class EngineSyntaxError(EngineError):
    """Oxigraph could not parse the query (message has ``error at L:C``)."""


class EngineEvaluationError(EngineError):
    """Oxigraph failed while evaluating or serializing."""


class EngineCrashed(EngineError):
    """The worker died while answering."""


class NoAcceptableFormat(EngineError):
    """The result is of a kind (``args[0]``) for which the client accepts no format."""


# ------------------------------------------------------------------------------------------------------------
# Worker side: runs in its own process, started as ``python -m ctgraph.server.engine FD PARENT_PID``.


class _Enough(Exception):
    """Raised inside Oxigraph's serializer once more rows than allowed were written."""


class _LineLimitedBuffer:
    """A binary sink that keeps the first ``limit`` lines and stops the writer at the next one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        count = chunk.count(b"\n")
        if self.lines + count > self.limit:
            cut = -1
            for _ in range(self.limit - self.lines):
                cut = chunk.index(b"\n", cut + 1)
            self.chunks.append(chunk[: cut + 1])
            self.lines = self.limit
            raise _Enough()
        self.lines += count
        self.chunks.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the buffer is memory."""

    def value(self) -> bytes:
        return b"".join(self.chunks)


def _receive(sock: socket.socket) -> object | None:
    header = _read_exactly(sock, _HEADER.size)
    if header is None:
        return None
    payload = _read_exactly(sock, _HEADER.unpack(header)[0])
    return None if payload is None else pickle.loads(payload)


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    parts, remaining = [], size
    while remaining:
        part = sock.recv(min(remaining, 1 << 20))
        if not part:
            return None
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _send(sock: socket.socket, message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this worker when its parent dies, so a runaway query cannot outlive the server."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(0)


class _Worker:
    """The worker loop's state: the store and the fixed serialization settings."""

    def __init__(self, config: dict[str, object]) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.store = ox.Store()
        for name, ntriples in config["graphs"]:  # type: ignore[attr-defined]
            target = ox.DefaultGraph() if name is None else ox.NamedNode(name)
            self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        self.prefixes: dict[str, str] = dict(config["prefixes"])  # type: ignore[call-overload]
        self.base_iri = str(config["base_iri"])
        self.max_rows = int(config["max_rows"])  # type: ignore[call-overload]
        self.tabular = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
        }
        self.graph = {
            "turtle": ox.RdfFormat.TURTLE,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD,
            "rdfxml": ox.RdfFormat.RDF_XML,
            "trig": ox.RdfFormat.TRIG,
            "nquads": ox.RdfFormat.N_QUADS,
        }

    def answer(self, job: Job) -> tuple[object, ...]:
        """Run one job; returns a tagged tuple for the parent."""
        ox = self.ox
        started = time.perf_counter()
        default = None if job.default_graphs is None else [ox.NamedNode(g) for g in job.default_graphs]
        named = None if job.named_graphs is None else [ox.NamedNode(g) for g in job.named_graphs]
        try:
            result = self.store.query(
                job.query,
                base_iri=self.base_iri,
                use_default_graph_as_union=job.union_default and default is None,
                default_graph=default,
                named_graphs=named,
            )
            if isinstance(result, ox.QueryTriples):
                if job.graph_format is None:
                    return ("unacceptable", "graph")
                body, truncated = self._graph(result, job.graph_format)
                kind = "graph"
            else:
                if job.tabular_format is None:
                    return ("unacceptable", "tabular")
                if isinstance(result, ox.QueryBoolean):
                    body, truncated = result.serialize(format=self.tabular[job.tabular_format]), False
                else:
                    body, truncated = self._solutions(result, job.tabular_format)
                kind = "tabular"
        except SyntaxError as exc:
            return ("syntax", str(exc))
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            return ("error", f"{type(exc).__name__}: {exc}")
        return ("ok", body, kind, truncated, time.perf_counter() - started)

    def _solutions(self, result: object, format_name: str) -> tuple[bytes, bool]:
        """Serialize solutions, cut after max_rows: written as TSV (one row a line), converted if asked."""
        ox = self.ox
        sink = _LineLimitedBuffer(self.max_rows + 1)  # the header line and max_rows rows
        try:
            result.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[attr-defined]
            truncated = False
        except _Enough:
            truncated = True
        tsv = sink.value()
        if format_name == "tsv":
            return tsv, truncated
        rows = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return rows.serialize(format=self.tabular[format_name]), truncated

    def _graph(self, result: object, format_name: str) -> tuple[bytes, bool]:
        """Serialize triples, cut after max_rows."""
        triples = list(islice(result, self.max_rows + 1))  # type: ignore[call-overload]
        truncated = len(triples) > self.max_rows
        if truncated:
            del triples[self.max_rows :]
        fmt = self.graph[format_name]
        prefixes = self.prefixes if format_name in ("turtle", "trig", "rdfxml") else None
        return self.ox.serialize(triples, format=fmt, prefixes=prefixes), truncated


def _worker_main(fd: int, parent_pid: int) -> None:
    """Load the store from the first frame, then answer jobs until the parent closes the socket."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops its workers
    sock = socket.socket(fileno=fd)
    config = _receive(sock)
    if not isinstance(config, dict):
        return
    worker = _Worker(config)
    _send(sock, ("ready", len(worker.store)))
    while True:
        job = _receive(sock)
        if job is None:
            return
        assert isinstance(job, tuple)
        _send(sock, worker.answer(Job(*job)))


# ------------------------------------------------------------------------------------------------------------
# Parent side: a pool of workers driven from the server's event loop.


class _Channel(asyncio.Protocol):
    """The parent's end of one worker socket: reassembles frames and hands each to the waiting caller."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[object] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio.Transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) < _HEADER.size:
            return
        size = _HEADER.unpack_from(self.buffer)[0]
        if len(self.buffer) < _HEADER.size + size:
            return
        payload = bytes(self.buffer[_HEADER.size : _HEADER.size + size])
        del self.buffer[: _HEADER.size + size]
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(pickle.loads(payload))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(
                EngineCrashed("the query worker exited while answering; it has been replaced")
            )

    def request(self, message: object) -> asyncio.Future[object]:
        """Send one frame; the future resolves with the worker's reply frame."""
        assert self.transport is not None
        if self.closed:
            raise EngineCrashed("the query worker is gone; it has been replaced")
        waiter = asyncio.get_running_loop().create_future()
        self.waiter = waiter
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.transport.write(_HEADER.pack(len(payload)) + payload)
        return waiter


@dataclass(eq=False)
class _Handle:
    process: asyncio.subprocess.Process
    channel: _Channel
    number: int


@dataclass
class EngineStats:
    """Counters the health check reports."""

    queries: int = 0
    timeouts: int = 0
    crashes: int = 0
    rejected: int = 0
    respawns: int = 0
    stop_seconds: list[float] = field(default_factory=list)


def _expire(waiter: asyncio.Future[Any], error: Exception) -> None:
    if not waiter.done():
        waiter.set_exception(error)


class QueryEngine:
    """A pool of query workers sharing one dataset; ``run`` answers a Job or raises an EngineError."""

    def __init__(
        self,
        graphs: list[tuple[str | None, bytes]],
        *,
        workers: int,
        timeout: float,
        max_rows: int,
        max_concurrent: int,
        prefixes: dict[str, str],
        base_iri: str,
    ) -> None:
        self.size = workers
        self.timeout = timeout
        self.max_concurrent = max_concurrent
        self._config = {"graphs": graphs, "prefixes": prefixes, "base_iri": base_iri, "max_rows": max_rows}
        self._free: list[_Handle] = []
        self._waiting: deque[asyncio.Future[_Handle]] = deque()
        self._all: set[_Handle] = set()
        self._admitted = 0
        self._spawned = 0
        self._started = False
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = EngineStats()

    @property
    def ready(self) -> int:
        """Workers started and able to take a query."""
        return len(self._all)

    @property
    def running(self) -> int:
        """Queries admitted and not yet answered."""
        return self._admitted

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the store."""
        self._closing = False
        for handle in await asyncio.gather(*(self._spawn() for _ in range(self.size))):
            self._release(handle)
        self._started = True

    async def close(self) -> None:
        """Stop every worker."""
        self._closing = True
        self._started = False
        for task in list(self._tasks):
            task.cancel()
        for handle in list(self._all):
            await self._kill(handle)
        self._free.clear()

    async def run(self, job: Job) -> Outcome:
        """Answer one job within the time limit."""
        if not self._started:
            raise EngineCrashed("the query engine is not started")
        if self._admitted >= self.max_concurrent:
            self.stats.rejected += 1
            raise EngineBusy(f"{self._admitted} queries are running, the most this server admits at once")
        self._admitted += 1
        try:
            handle = self._free.pop() if self._free else await self._wait_for_worker()
            while handle.channel.closed:  # died while idle (killed from outside): replace it, take another
                await self._kill(handle)
                self.stats.crashes += 1
                self._replace()
                handle = self._free.pop() if self._free else await self._wait_for_worker()
            return await self._run_on(handle, job)
        finally:
            self._admitted -= 1

    async def _wait_for_worker(self) -> _Handle:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Handle] = loop.create_future()
        self._waiting.append(waiter)
        busy = EngineBusy(f"no query worker became free within {self.timeout:g} s")
        timer = loop.call_later(self.timeout, _expire, waiter, busy)
        try:
            return await waiter
        except EngineBusy:
            self.stats.rejected += 1
            raise
        finally:
            timer.cancel()

    def _release(self, handle: _Handle) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(handle)
                return
        self._free.append(handle)

    async def _run_on(self, handle: _Handle, job: Job) -> Outcome:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            # A plain tuple pickles in a tenth of the time of the dataclass.
            waiter = handle.channel.request(
                (
                    job.query,
                    job.tabular_format,
                    job.graph_format,
                    job.union_default,
                    job.default_graphs,
                    job.named_graphs,
                )
            )
        except EngineCrashed:
            await self._kill(handle)
            self._replace()
            raise
        timeout = EngineTimeout(f"the query ran past the {self.timeout:g} s limit and was stopped")
        timer = loop.call_later(self.timeout, _expire, waiter, timeout)
        try:
            reply = await waiter
        except EngineTimeout:
            await self._kill(handle)
            self.stats.timeouts += 1
            self.stats.stop_seconds.append(time.monotonic() - started)
            del self.stats.stop_seconds[:-100]
            self._replace()
            raise
        except EngineCrashed:
            await self._kill(handle)
            self.stats.crashes += 1
            self._replace()
            raise
        except BaseException:
            # Cancelled mid-query (shutdown or a dropped client): the worker's late reply would be taken for
            # the next job's, so this worker is replaced rather than reused.
            await self._kill(handle)
            self._replace()
            raise
        finally:
            timer.cancel()
        self._release(handle)
        self.stats.queries += 1
        assert isinstance(reply, tuple)
        tag = reply[0]
        if tag == "ok":
            _, body, kind, truncated, seconds = reply
            return Outcome(body, kind, truncated, seconds)
        if tag == "syntax":
            raise EngineSyntaxError(reply[1])
        if tag == "unacceptable":
            raise NoAcceptableFormat(reply[1])
        raise EngineEvaluationError(reply[1])

    async def _spawn(self) -> _Handle:
        loop = asyncio.get_running_loop()
        parent_end, child_end = socket.socketpair()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "ctgraph.server.engine",
                str(child_end.fileno()),
                str(os.getpid()),
                pass_fds=(child_end.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            child_end.close()
        transport, channel = await loop.create_unix_connection(_Channel, sock=parent_end)
        channel.transport = transport  # uvloop may call connection_made only after returning
        self._spawned += 1
        handle = _Handle(process, channel, self._spawned)
        self._all.add(handle)
        try:
            reply = await channel.request(self._config)
        except EngineCrashed:
            await self._kill(handle)
            raise EngineCrashed("a query worker exited while loading the store; see the server log") from None
        assert isinstance(reply, tuple) and reply[0] == "ready"
        return handle

    def _replace(self) -> None:
        if self._closing:
            return
        task = asyncio.get_running_loop().create_task(self._respawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self) -> None:
        try:
            handle = await self._spawn()
        except (EngineCrashed, OSError) as exc:
            _log.error("could not start a replacement query worker: %s", exc)
            return
        self.stats.respawns += 1
        if self._closing:
            await self._kill(handle)
            return
        self._release(handle)

    async def _kill(self, handle: _Handle) -> None:
        self._all.discard(handle)
        with contextlib.suppress(ProcessLookupError):
            handle.process.kill()
        if handle.channel.transport is not None:
            handle.channel.transport.close()
        await handle.process.wait()


def main(argv: Sequence[str]) -> None:
    """Entry point of a worker process."""
    _worker_main(int(argv[0]), int(argv[1]))


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy, so there is one set of its classes.
    from ctgraph.server.engine import main as _main

    _main(sys.argv[1:])
