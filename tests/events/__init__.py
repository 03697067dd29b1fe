"""Sample payloads for the tests, one JSON file per event next to this module."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent


def read_event_text(name: str) -> str:
    """Return the raw text of ``<name>.json``, as a client would send it."""
    return (EVENTS_DIR / f"{name}.json").read_text()


def load_event(name: str) -> Any:
    """Load a fresh copy of ``<name>.json``; numbers with a fraction become Decimal, as the API parses them."""
    return json.loads(read_event_text(name), parse_float=Decimal)
