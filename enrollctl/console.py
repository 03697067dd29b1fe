"""Progress lines with durations, and the outcome checks a command reports at its end."""

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Progress:
    """Numbered progress lines, one per step, each with its wall time."""

    total: int
    durations: dict[str, float] = field(default_factory=dict)
    _count: int = 0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self._count += 1
        label = f"[{self._count:>2}/{self.total}] {title}"
        print(f"{label} ...", flush=True)
        started = time.monotonic()
        try:
            yield
        except BaseException:
            print(f"{label}: FAILED after {time.monotonic() - started:.1f} s", flush=True)
            raise
        elapsed = time.monotonic() - started
        self.durations[title] = elapsed
        print(f"{label}: done in {elapsed:.1f} s", flush=True)


@dataclass
class Checks:
    """Expected outcomes; the command exits non-zero when any is not met."""

    results: list[tuple[str, bool, str]] = field(default_factory=list)

    def expect(self, description: str, condition: bool, detail: str = "") -> bool:
        self.results.append((description, condition, detail))
        return condition

    @property
    def failed(self) -> list[tuple[str, bool, str]]:
        return [result for result in self.results if not result[1]]

    def print_summary(self) -> None:
        print("\nOutcome checks:")
        for description, passed, detail in self.results:
            mark = "PASS" if passed else "FAIL"
            print(f"  {mark}  {description}" + (f"  ({detail})" if detail and not passed else ""))
        print(f"{len(self.results) - len(self.failed)} passed, {len(self.failed)} failed")


def wait_for(condition: Callable[[], Any], *, timeout: float, interval: float = 1.0) -> Any:
    """Poll ``condition`` until it returns a truthy value or ``timeout`` seconds pass; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def error(message: str) -> None:
    """Print an error line to stderr."""
    print(f"error: {message}", file=sys.stderr, flush=True)
