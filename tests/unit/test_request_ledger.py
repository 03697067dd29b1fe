"""request_fingerprint: the same contract gives the same fingerprint however it was spelled."""

import json
from typing import Any

from api.request_ledger import request_fingerprint
from common.models import parse_contract
from tests.events import load_event


def _fingerprint(payload: dict[str, Any]) -> str:
    return request_fingerprint(parse_contract(payload).model_dump(mode="json"))


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_key_order_and_list_alias_do_not_matter():
    contract = load_event("contract-offer")
    contract["contractInfo"]["campaign"] = "winter"
    contract["actions"][0]["otherData"] = {"newRate": "0.0", "note": "first"}
    respelled = _reversed_keys(contract)
    respelled["List"] = respelled.pop("actions")

    assert _fingerprint(respelled) == _fingerprint(contract)


def test_any_change_changes_the_fingerprint():
    contract = load_event("contract-offer")
    changed = json.loads(json.dumps(contract))
    changed["contractDraft"]["monthlyPayment"] = "120.01"

    assert _fingerprint(changed) != _fingerprint(contract)


def test_fingerprint_is_hex_sha256():
    fingerprint = _fingerprint(load_event("contract-offer"))

    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0
