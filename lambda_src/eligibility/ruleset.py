"""Declarative ruleset evaluation: the local rules engine ("Rules Lab" stand-in).

A ruleset is a JSON document with a version and a list of rules. Each rule compares one dotted
field of the contract with a value. Numbers compare as Decimal so money never goes through float.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from common.errors import RulesEngineError

RULESET_DIR = Path(__file__).parent / "rulesets"


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RulesEngineError(f"value {value!r} is not a number") from None


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "in": lambda actual, expected: actual in expected,
    "not_in": lambda actual, expected: actual not in expected,
    "gt": lambda actual, expected: _number(actual) > _number(expected),
    "gte": lambda actual, expected: _number(actual) >= _number(expected),
    "lt": lambda actual, expected: _number(actual) < _number(expected),
    "lte": lambda actual, expected: _number(actual) <= _number(expected),
    "between": lambda actual, expected: _number(expected[0]) <= _number(actual) <= _number(expected[1]),
}


@dataclass(frozen=True, kw_only=True)
class Decision:
    """Outcome of one evaluation: eligible only when no rule failed."""

    eligible: bool
    reasons: list[str]
    failed_rules: list[str]
    ruleset_version: str


def _lookup(document: dict[str, Any], dotted: str) -> Any:
    value: Any = document
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def load_ruleset(name: str) -> dict[str, Any]:
    """Load and check a ruleset file from the rulesets folder."""
    path = RULESET_DIR / f"{name}.json"
    try:
        ruleset: dict[str, Any] = json.loads(path.read_text())
        for rule in ruleset["rules"]:
            if rule["operator"] not in OPERATORS:
                raise RulesEngineError(f"rule {rule['id']!r} uses unknown operator {rule['operator']!r}")
            for key in ("field", "value", "reason"):
                rule[key]
        ruleset["version"]
    except FileNotFoundError:
        raise RulesEngineError(f"ruleset {name!r} not found in {RULESET_DIR}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RulesEngineError(f"ruleset {path} is malformed: {exc!r}") from exc
    return ruleset


def evaluate(ruleset: dict[str, Any], contract: dict[str, Any]) -> Decision:
    """Apply every rule to ``contract``; a missing field fails its rule."""
    reasons: list[str] = []
    failed: list[str] = []
    for rule in ruleset["rules"]:
        operator = OPERATORS.get(rule["operator"])
        if operator is None:
            raise RulesEngineError(f"rule {rule['id']!r} uses unknown operator {rule['operator']!r}")
        actual = _lookup(contract, rule["field"])
        passed = actual is not None and operator(actual, rule["value"])
        if not passed:
            reasons.append(rule["reason"])
            failed.append(rule["id"])
    return Decision(eligible=not failed, reasons=reasons, failed_rules=failed, ruleset_version=ruleset["version"])
