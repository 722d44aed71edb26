"""Report inference latencies to the joulegov daemon from any Python stack (PyTorch, TensorRT, ONNX Runtime...).

Standard library only, Python 3.6 or newer (JetPack 4 ships 3.6). One Client governs one model:

    from joulegov_client import Client

    client = Client()                      # /run/joulegov/joulegov.sock; your user must be in its group
    client.register("resnet18-trt", slowdown=1.3, percentile="p95")
    for frame in frames:
        with client.inference():
            outputs = engine(frame)
    client.close()

Latencies go to the daemon in batches from a background thread, as joulegov's Java LatencyReporter does: an
inference only appends to a list, so a slow, missing or restarting daemon never blocks it and never raises into it.
While the daemon cannot be reached, latencies are dropped and counted (`dropped`), and the model is registered again
as soon as it can be. The wire format is the control socket's line-delimited JSON (docs/DESIGN.md, "Control socket").
"""

import json
import logging
import socket
import threading
import time
from contextlib import contextmanager

__all__ = ["Client", "DEFAULT_SOCKET"]

DEFAULT_SOCKET = "/run/joulegov/joulegov.sock"
MAX_LATENCIES = 2048          # per report, as the daemon takes them
MAX_BUFFERED = 1 << 20        # latencies kept between two flushes; beyond, dropped and counted
IDLE_HINT_S = 0.2             # a pause longer than this before an inference is announced with "begin"
RETRY_S = 1.0                 # after the daemon was lost, the next attempt to register
TIMEOUT_S = 5.0               # for one request and its reply

_LOG = logging.getLogger("joulegov")
_PERCENTILES = ("mean", "p50", "p95", "p99")


class Client(object):
    """Registers one model with the daemon and reports its latencies; usable as a context manager."""

    def __init__(self, socket_path=DEFAULT_SOCKET, flush_every=0.1):
        self._path = socket_path
        self._flush_every = flush_every
        self._pace = flush_every  # sooner while the daemon learns the model and asks for it
        self._lock = threading.Lock()
        self._buffer = []
        self._registration = None
        self._registered = False
        self._retry_at = 0.0
        self._last_problem = None
        self._last_start = None
        self._begin_pending = False
        self._sock = None
        self._reader = None
        self._reported = 0
        self._dropped = 0
        self._running = True
        self._wake = threading.Event()
        self._registered_event = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="joulegov-reporter")
        self._thread.daemon = True
        self._thread.start()

    def register(self, model, slowdown=None, budget_ms=None, percentile="p95", hash=None, batch=1):
        """Names the model and its latency budget: exactly one of a slowdown over its fastest point and a budget in ms.

        Only the arguments are checked here (ValueError); the daemon is told from the background thread, so this
        returns at once even when it is not running. `hash` is the weights' SHA-256 in hex (optional).
        """
        if (slowdown is None) == (budget_ms is None):
            raise ValueError("give exactly one of slowdown and budget_ms")
        if percentile not in _PERCENTILES:
            raise ValueError("percentile is mean, p50, p95 or p99, not %r" % (percentile,))
        if not isinstance(batch, int) or batch < 1:
            raise ValueError("batch is a positive integer")
        request = {"op": "register", "model": str(model), "batch": batch, "percentile": percentile}
        if slowdown is not None:
            request["slowdown"] = float(slowdown)
        else:
            request["budgetMs"] = float(budget_ms)
        if hash:
            request["hash"] = str(hash).lower()
        with self._lock:
            self._registration = request
            self._registered = False
            self._retry_at = 0.0
        self._registered_event.clear()
        self._wake.set()

    def wait_registered(self, timeout=None):
        """Waits until the daemon has accepted the registration; False when it did not within `timeout` seconds."""
        return self._registered_event.wait(timeout)

    @contextmanager
    def inference(self):
        """Times the block it wraps and reports it (also when the block raises)."""
        self._starting()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.report((time.perf_counter() - start) * 1000.0)

    def report(self, latency_ms):
        """One inference (or batch) took `latency_ms` and ended now; never blocks on the daemon, never raises."""
        with self._lock:
            if len(self._buffer) >= MAX_BUFFERED:
                self._dropped += 1
                return
            self._buffer.append((float(latency_ms), time.monotonic()))

    @property
    def reported(self):
        """Latencies the daemon has accepted."""
        return self._reported

    @property
    def dropped(self):
        """Latencies dropped because the daemon could not be reached (or was too far behind)."""
        return self._dropped

    def close(self):
        """Sends what is left, unregisters, and stops the background thread."""
        if not self._running:
            return
        self._running = False
        self._wake.set()
        self._thread.join(TIMEOUT_S * 2)
        with self._lock:
            registration = self._registration if self._registered else None
        if registration is not None:
            try:
                self._request({"op": "unregister", "model": registration["model"]})
            except (OSError, ValueError):
                pass
        self._disconnect()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _starting(self):
        now = time.monotonic()
        last = self._last_start
        self._last_start = now
        if last is None or now - last > IDLE_HINT_S:
            self._begin_pending = True
            self._wake.set()

    def _loop(self):
        while self._running:
            self._wake.wait(self._pace)
            self._wake.clear()
            self._flush()
        self._flush()

    def _flush(self):
        with self._lock:
            batch, self._buffer = self._buffer, []
            registration = self._registration
        sent = 0
        try:
            if registration is not None and not self._registered and time.monotonic() >= self._retry_at:
                self._request(registration)
                self._registered = True
                self._last_problem = None
                self._registered_event.set()
                _LOG.info("%s registered with the governor", registration["model"])
            if self._registered:
                model = registration["model"]
                if self._begin_pending:
                    self._begin_pending = False
                    self._request({"op": "begin", "model": model})
                while sent < len(batch):
                    chunk = batch[sent:sent + MAX_LATENCIES]
                    now = time.monotonic()
                    # how long ago each ended: a profiler attributes it to the clocks held then
                    reply = self._request({"op": "report", "model": model,
                                           "latenciesMs": [max(0.001, round(ms, 3)) for ms, _ in chunk],
                                           "endedMsAgo": [round(max(0.0, now - end) * 1000.0, 3) for _, end in chunk]})
                    # while the daemon learns the model, each step of its walk waits for latencies: it asks for them sooner
                    within = reply.get("reportWithinMs")
                    self._pace = min(self._flush_every, within / 1000.0) if within else self._flush_every
                    sent += len(chunk)
                    self._reported += len(chunk)
        except (OSError, ValueError) as e:
            self._lost(e)
        finally:
            with self._lock:
                self._dropped += len(batch) - sent

    def _request(self, request):
        """Sends one request line and reads its reply; OSError when the socket fails, ValueError when refused."""
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT_S)
            try:
                sock.connect(self._path)
            except OSError:
                sock.close()
                raise
            self._sock = sock
            self._reader = sock.makefile("r", encoding="utf-8", newline="\n")
        self._sock.sendall((json.dumps(request, separators=(",", ":")) + "\n").encode("utf-8"))
        line = self._reader.readline()
        if not line:
            raise OSError("the governor closed the connection")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise ValueError(reply.get("error", "refused"))
        return reply

    def _lost(self, error):
        """The daemon is gone or refused: register again after a pause, and say so once per kind of problem."""
        self._registered = False
        self._pace = self._flush_every
        self._registered_event.clear()
        self._retry_at = time.monotonic() + RETRY_S
        self._disconnect()
        problem = str(error)
        if problem != self._last_problem:
            _LOG.warning("the governor is not taking reports (%s); inference goes on, retrying", problem)
            self._last_problem = problem

    def _disconnect(self):
        if self._sock is not None:
            try:
                self._reader.close()
                self._sock.close()
            except OSError:
                pass
            self._sock = None
            self._reader = None
