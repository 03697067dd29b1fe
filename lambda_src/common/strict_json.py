"""Hooks for json.loads that reject what JSON parsers accept but a request must not contain."""

from collections import Counter
from typing import Any


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object from ``pairs``, raising ValueError when a key repeats.

    json.loads keeps the last of two equal keys, so {"eligible": false, "eligible": true} would
    read as eligible. A document with a repeated key is ambiguous, so it is invalid.
    """
    counts = Counter(key for key, _ in pairs)
    duplicates = sorted(key for key, count in counts.items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate keys {duplicates}")
    return dict(pairs)


def reject_constant(name: str) -> Any:
    """Raise ValueError for NaN, Infinity and -Infinity, which json.loads accepts but JSON does not."""
    raise ValueError(f"{name} is not a JSON value")
