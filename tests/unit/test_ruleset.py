"""The local rules engine: the shipped ruleset, each rule's reason and ruleset loading errors."""

import json
from pathlib import Path
from typing import Any

import pytest

from common.errors import RulesEngineError
from common.models import parse_contract
from eligibility import ruleset as ruleset_module
from eligibility.ruleset import evaluate, load_ruleset
from tests.events import load_event

SHIPPED_RULESET = "contract-eligibility"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return load_ruleset(SHIPPED_RULESET)


def _eligible_contract() -> dict[str, Any]:
    # The workflow passes the contract to the rules engine as the API serialized it.
    return parse_contract(load_event("contract-offer")).model_dump(mode="json")


def _reason(ruleset: dict[str, Any], rule_id: str) -> str:
    return str(next(rule["reason"] for rule in ruleset["rules"] if rule["id"] == rule_id))


def _write_ruleset(folder: Path, name: str, rules: list[dict[str, Any]]) -> None:
    (folder / f"{name}.json").write_text(json.dumps({"version": "test-1", "rules": rules}))


def test_shipped_ruleset_loads(shipped):
    assert shipped["version"]
    assert {rule["id"] for rule in shipped["rules"]} == {
        "product-offered",
        "currency-supported",
        "balance-positive",
        "balance-limit",
        "term-limit",
        "payment-positive",
    }


def test_sample_contract_eligible(shipped):
    decision = evaluate(shipped, _eligible_contract())

    assert decision.eligible is True
    assert decision.reasons == []
    assert decision.failed_rules == []
    assert decision.ruleset_version == shipped["version"]


@pytest.mark.parametrize(
    ("section", "field", "value", "rule_id"),
    [
        ("contractInfo", "product", "car-loan", "product-offered"),
        ("contractDraft", "currency", "EUR", "currency-supported"),
        ("contractDraft", "balance", "0.00", "balance-positive"),
        ("contractDraft", "balance", "50000.01", "balance-limit"),
        ("contractDraft", "termMonths", 61, "term-limit"),
        ("contractDraft", "termMonths", 0, "term-limit"),
        ("contractDraft", "monthlyPayment", "0", "payment-positive"),
    ],
)
def test_failing_rule_gives_reason(shipped, section, field, value, rule_id):
    contract = _eligible_contract()
    contract[section][field] = value

    decision = evaluate(shipped, contract)

    assert decision.eligible is False
    assert decision.failed_rules == [rule_id]
    assert decision.reasons == [_reason(shipped, rule_id)]


@pytest.mark.parametrize(
    ("field", "value"),
    [("balance", "50000.00"), ("balance", "0.01"), ("termMonths", 60), ("termMonths", 1), ("monthlyPayment", "0.01")],
)
def test_rule_bounds_pass(shipped, field, value):
    contract = _eligible_contract()
    contract["contractDraft"][field] = value

    assert evaluate(shipped, contract).eligible is True


def test_every_failed_rule_listed(shipped):
    contract = _eligible_contract()
    contract["contractInfo"]["product"] = "car-loan"
    contract["contractDraft"]["currency"] = "EUR"
    contract["contractDraft"]["termMonths"] = 120

    decision = evaluate(shipped, contract)

    assert decision.failed_rules == ["product-offered", "currency-supported", "term-limit"]
    assert len(decision.reasons) == 3


@pytest.mark.parametrize(
    ("section", "field", "rule_ids"),
    [
        ("contractDraft", "currency", ["currency-supported"]),
        ("contractDraft", "balance", ["balance-positive", "balance-limit"]),
        ("contractInfo", "product", ["product-offered"]),
    ],
)
def test_missing_field_fails_rule(shipped, section, field, rule_ids):
    contract = _eligible_contract()
    del contract[section][field]

    decision = evaluate(shipped, contract)

    assert decision.eligible is False
    assert decision.failed_rules == rule_ids


def test_missing_section_fails_rule(shipped):
    contract = _eligible_contract()
    del contract["contractInfo"]

    assert evaluate(shipped, contract).failed_rules == ["product-offered"]


def test_null_field_fails_rule(shipped):
    contract = _eligible_contract()
    contract["contractDraft"]["currency"] = None

    assert evaluate(shipped, contract).failed_rules == ["currency-supported"]


def test_non_numeric_value_raises(shipped):
    contract = _eligible_contract()
    contract["contractDraft"]["balance"] = "lots"

    with pytest.raises(RulesEngineError, match="'lots' is not a number"):
        evaluate(shipped, contract)


def test_unknown_operator_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(ruleset_module, "RULESET_DIR", tmp_path)
    _write_ruleset(
        tmp_path,
        "custom",
        [
            {
                "id": "fuzzy-match",
                "field": "contractInfo.product",
                "operator": "like",
                "value": "hardship%",
                "reason": "x",
            }
        ],
    )

    with pytest.raises(RulesEngineError, match=r"'fuzzy-match' uses unknown operator 'like'"):
        load_ruleset("custom")


def test_missing_ruleset_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(ruleset_module, "RULESET_DIR", tmp_path)

    with pytest.raises(RulesEngineError, match="'absent' not found"):
        load_ruleset("absent")


def test_custom_ruleset_evaluated(tmp_path, monkeypatch):
    monkeypatch.setattr(ruleset_module, "RULESET_DIR", tmp_path)
    _write_ruleset(
        tmp_path,
        "custom",
        [
            {
                "id": "not-blocked",
                "field": "accountId",
                "operator": "not_in",
                "value": ["ACCT-0001"],
                "reason": "blocked",
            },
            {
                "id": "small-payment",
                "field": "contractDraft.monthlyPayment",
                "operator": "lt",
                "value": "100",
                "reason": "payment too high",
            },
        ],
    )
    custom = load_ruleset("custom")

    decision = evaluate(custom, _eligible_contract())

    assert decision.failed_rules == ["not-blocked", "small-payment"]
    assert decision.reasons == ["blocked", "payment too high"]
    assert decision.ruleset_version == "test-1"


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"rules": []}', '{"version": "1", "rules": [{"id": "r", "operator": "in"}]}'],
    ids=["invalid-json", "no-version", "rule-without-field"],
)
def test_malformed_ruleset_raises(tmp_path, monkeypatch, text):
    monkeypatch.setattr(ruleset_module, "RULESET_DIR", tmp_path)
    (tmp_path / "broken.json").write_text(text)

    with pytest.raises(RulesEngineError, match="is malformed"):
        load_ruleset("broken")


def test_evaluate_unknown_operator_raises():
    ruleset = {"version": "1", "rules": [{"id": "r", "field": "a", "operator": "like", "value": 1, "reason": "x"}]}

    with pytest.raises(RulesEngineError, match="unknown operator 'like'"):
        evaluate(ruleset, {"a": 1})
