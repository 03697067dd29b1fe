"""A mock of the PagerDuty Events API v2 that records every event it receives.

POST /v2/enqueue stores the event and returns 202 as PagerDuty does (400 for a body that is not
a valid event). GET /events returns the stored events; DELETE /events clears them. Events are
also appended to a JSON Lines file so they survive a restart of the mock.
"""

import argparse
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOG = logging.getLogger("pagerduty-mock")
MAX_BODY_BYTES = 512 * 1024  # PagerDuty's own limit per event
REQUIRED_FIELDS = ("routing_key", "event_action", "payload")


class EventStore:
    """Thread-safe list of received events, mirrored to a JSON Lines file when one is given."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._path = path
        self._events: list[dict[str, Any]] = []
        if path and path.exists():
            self._events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def add(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._events.append(event)
            if self._path:
                with self._path.open("a") as handle:
                    handle.write(json.dumps(event) + "\n")

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            if self._path:
                self._path.write_text("")


def _validate(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "event must be a JSON object"
    missing = [field for field in REQUIRED_FIELDS if field not in event]
    if missing:
        return f"missing fields: {', '.join(missing)}"
    if event["event_action"] not in ("trigger", "acknowledge", "resolve"):
        return f"invalid event_action {event['event_action']!r}"
    payload = event["payload"]
    if event["event_action"] == "trigger" and not (isinstance(payload, dict) and payload.get("summary")):
        return "trigger events need payload.summary"
    return None


def make_handler(store: EventStore) -> type[BaseHTTPRequestHandler]:
    """Build a request handler class bound to ``store``."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "pagerduty-mock/1"

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, {"status": "ok"})
            elif self.path == "/events":
                self._send(200, {"events": store.all()})
            else:
                self._send(404, {"message": f"no route {self.path}"})

        def do_DELETE(self) -> None:
            if self.path == "/events":
                store.clear()
                self._send(200, {"events": []})
            else:
                self._send(404, {"message": f"no route {self.path}"})

        def do_POST(self) -> None:
            if self.path != "/v2/enqueue":
                self._send(404, {"message": f"no route {self.path}"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(413, {"status": "invalid event", "message": "event is larger than 512 KB"})
                return
            try:
                event = json.loads(self.rfile.read(length))
            except ValueError:
                self._send(400, {"status": "invalid event", "message": "body is not valid JSON"})
                return
            problem = _validate(event)
            if problem:
                self._send(400, {"status": "invalid event", "message": problem})
                return
            store.add(event)
            LOG.info("event recorded: %s", event.get("dedup_key"))
            self._send(202, {"status": "success", "message": "Event processed", "dedup_key": event.get("dedup_key")})

        def log_message(self, format: str, *args: Any) -> None:
            LOG.debug(format, *args)

    return Handler


def serve(port: int, events_file: Path | None) -> ThreadingHTTPServer:
    """Create the server on 127.0.0.1:``port`` (0 picks a free port); the caller runs it."""
    return ThreadingHTTPServer(("127.0.0.1", port), make_handler(EventStore(events_file)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Mock PagerDuty Events API v2 on 127.0.0.1")
    parser.add_argument("--port", type=int, default=4599, help="TCP port on 127.0.0.1 (default 4599)")
    parser.add_argument("--events-file", type=Path, help="JSON Lines file that keeps the recorded events")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = serve(args.port, args.events_file)
    LOG.info("listening on http://127.0.0.1:%d", server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        LOG.info("stopped")


if __name__ == "__main__":
    main()
