"""An HTTP server on 127.0.0.1 that records each POST and responds with scripted responses.

The unit tests use it as the rules engine and as PagerDuty. The integration tests use it as the
rules engine that the deployed eligibility function calls.
"""

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ScriptedResponse:
    """One response of the stub.

    ``delay`` is the pause in seconds before the status line. A ``chunk_pause`` above 0 sends the
    body in four parts with that pause in seconds between them. Without ``send_length`` the
    response has no Content-Length header, so the client reads until the server closes the
    connection. With ``trickle`` the stub sends its status line and one header a byte every 0.5 s
    for 35 s, so each read of the client succeeds and only a deadline on the whole call stops it.
    """

    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b"{}"
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    chunk_pause: float = 0.0
    send_length: bool = True
    trickle: bool = False

    def payload(self) -> bytes:
        """Return the body as bytes: JSON for a dict or list."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class ReceivedRequest:
    """One request recorded by the stub."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Return the body decoded as JSON."""
        return json.loads(self.body)


@dataclass
class StubServer:
    """The stub's state: queued responses, sent in order, then ``fallback``; and what it received."""

    url: str
    responses: "queue.Queue[ScriptedResponse]" = field(default_factory=queue.Queue)
    fallback: ScriptedResponse = field(default_factory=ScriptedResponse)
    requests: list[ReceivedRequest] = field(default_factory=list)

    def script(self, *responses: ScriptedResponse) -> None:
        """Queue ``responses`` after any still queued."""
        for response in responses:
            self.responses.put(response)

    def reset(self, *responses: ScriptedResponse) -> None:
        """Forget what was received and queued, then queue ``responses``."""
        self.requests.clear()
        while not self.responses.empty():
            self.responses.get_nowait()
        self.script(*responses)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has closed the socket the delayed response is written to.
        pass


@contextmanager
def running_stub(path: str) -> Iterator[StubServer]:
    """Run a stub on a free port of 127.0.0.1 whose URL ends in ``path``; stop it on exit."""
    state = StubServer(url="")
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(ReceivedRequest(method="POST", path=self.path, headers=dict(self.headers), body=body))
            try:
                response = state.responses.get_nowait()
            except queue.Empty:
                response = state.fallback
            if response.delay:
                stopping.wait(response.delay)
            if response.trickle:
                self._trickle()
                return
            self._respond(response)

        def _respond(self, response: ScriptedResponse) -> None:
            payload = response.payload()
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            if response.send_length:
                self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            if not response.chunk_pause:
                self.wfile.write(payload)
                return
            part_size = len(payload) // 4 + 1
            for start in range(0, len(payload), part_size):
                self.wfile.write(payload[start : start + part_size])
                self.wfile.flush()
                stopping.wait(response.chunk_pause)

        def _trickle(self) -> None:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 60:
                if stopping.is_set():
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                stopping.wait(0.5)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield state
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
