"""parse_contract: the accepted payload shapes and the field path of every rejection."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from common.errors import InvalidContractError
from common.models import MAX_ACTIONS, MAX_OFFSET_DAYS, parse_contract
from tests.events import load_event, read_event_text


def _invalid_fields(payload: Any) -> list[str]:
    with pytest.raises(InvalidContractError) as caught:
        parse_contract(payload)
    return [error["field"] for error in caught.value.errors]


def _offer_with_offset(offset: Any) -> dict[str, Any]:
    offer: dict[str, Any] = load_event("contract-offer")
    offer["actions"][0]["offset"] = offset
    return offer


def test_sample_offer_parses():
    contract = parse_contract(load_event("contract-offer"))

    assert contract.contractId == "C-2026-000123"
    assert contract.accountId == "ACCT-0001"
    assert contract.contractInfo.product == "hardship-plan"
    assert contract.contractDraft.balance == Decimal("1520.55")
    assert contract.contractDraft.monthlyPayment == Decimal("120.00")
    assert contract.contractDraft.firstPaymentDate == date(2026, 12, 15)
    assert [(action.name, action.offset) for action in contract.actions] == [
        ("rateChange", 16),
        ("action1", 3),
        ("action2", 0),
        ("action100", 1),
    ]
    assert contract.actions[0].otherData == {"newRate": "0.0"}
    assert contract.actions[1].otherData == {}


def test_sample_offer_parses_from_raw_json():
    payload = json.loads(read_event_text("contract-offer"), parse_float=Decimal)

    assert parse_contract(payload).model_dump(mode="json")["contractDraft"]["balance"] == "1520.55"


def test_upstream_list_key_becomes_actions():
    contract = parse_contract(load_event("contract-upstream-list"))

    assert [action.name for action in contract.actions] == ["rateChange", "action1", "action2", "action100"]
    assert "List" not in contract.model_dump()


def test_upstream_extra_contract_info_kept():
    contract = parse_contract(load_event("contract-upstream-list"))

    assert contract.contractInfo.model_dump()["campaign"] == "winter-2026"


def test_money_serialized_as_strings():
    dumped = parse_contract(load_event("contract-offer")).model_dump(mode="json")

    assert dumped["contractDraft"]["balance"] == "1520.55"
    assert dumped["contractDraft"]["monthlyPayment"] == "120.00"


def test_money_as_json_number_accepted():
    offer = load_event("contract-offer")
    offer["contractDraft"]["balance"] = Decimal("1520.55")

    assert parse_contract(offer).contractDraft.balance == Decimal("1520.55")


def test_both_action_keys_rejected():
    offer = load_event("contract-offer")
    offer["List"] = offer["actions"]

    with pytest.raises(InvalidContractError) as caught:
        parse_contract(offer)

    assert [error["field"] for error in caught.value.errors] == ["body"]
    assert "not both" in caught.value.errors[0]["message"]


@pytest.mark.parametrize("missing", ["contractId", "accountId", "actions", "contractInfo", "contractDraft"])
def test_missing_field_rejected(missing):
    offer = load_event("contract-offer")
    del offer[missing]

    assert _invalid_fields(offer) == [missing]


def test_missing_fields_all_listed():
    offer = load_event("contract-offer")
    for key in ("contractId", "accountId", "actions"):
        del offer[key]

    assert _invalid_fields(offer) == ["contractId", "accountId", "actions"]


@pytest.mark.parametrize(
    "offset",
    [
        pytest.param(Decimal("3.0"), id="float-integral"),
        pytest.param(Decimal("3.5"), id="float"),
        pytest.param(True, id="bool"),
        pytest.param("3", id="string"),
        pytest.param(None, id="null"),
        pytest.param(-1, id="negative"),
        pytest.param(MAX_OFFSET_DAYS + 1, id="above-max"),
    ],
)
def test_invalid_offset_rejected(offset):
    assert _invalid_fields(_offer_with_offset(offset)) == ["actions[0].offset"]


@pytest.mark.parametrize("offset", [0, 1, MAX_OFFSET_DAYS])
def test_offset_bounds_accepted(offset):
    assert parse_contract(_offer_with_offset(offset)).actions[0].offset == offset


def test_float_offset_from_json_rejected():
    body = read_event_text("contract-offer").replace('"offset": 3}', '"offset": 3.0}')
    payload = json.loads(body, parse_float=Decimal)

    assert _invalid_fields(payload) == ["actions[1].offset"]


def test_unknown_action_rejected():
    offer = load_event("contract-offer")
    offer["actions"][2]["name"] = "sendPostcard"

    with pytest.raises(InvalidContractError) as caught:
        parse_contract(offer)

    assert [error["field"] for error in caught.value.errors] == ["actions[2].name"]
    assert "sendPostcard" in caught.value.errors[0]["message"]
    assert "rateChange" in caught.value.errors[0]["message"]


def test_unknown_action_key_rejected():
    offer = load_event("contract-offer")
    offer["actions"][1]["delay"] = 3

    assert _invalid_fields(offer) == ["actions[1].delay"]


def test_too_many_actions_rejected():
    offer = load_event("contract-offer")
    offer["actions"] = [{"name": "action1", "offset": 1}] * (MAX_ACTIONS + 1)

    assert _invalid_fields(offer) == ["actions"]


def test_max_actions_accepted():
    offer = load_event("contract-offer")
    offer["actions"] = [{"name": "action1", "offset": 1}] * MAX_ACTIONS

    assert len(parse_contract(offer).actions) == MAX_ACTIONS


def test_empty_actions_rejected():
    offer = load_event("contract-offer")
    offer["actions"] = []

    assert _invalid_fields(offer) == ["actions"]


@pytest.mark.parametrize("currency", ["usd", "US", "USDT", "", "U$D"])
def test_invalid_currency_rejected(currency):
    offer = load_event("contract-offer")
    offer["contractDraft"]["currency"] = currency

    assert _invalid_fields(offer) == ["contractDraft.currency"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("balance", Decimal("1520.555"), id="balance-3-decimals"),
        pytest.param("balance", "1520.555", id="balance-string-3-decimals"),
        pytest.param("monthlyPayment", Decimal("120.001"), id="payment-3-decimals"),
        pytest.param("balance", "-1.00", id="balance-negative"),
        pytest.param("balance", "12.3abc", id="balance-not-a-number"),
        pytest.param("balance", "1234567890123.45", id="balance-too-many-digits"),
    ],
)
def test_invalid_money_rejected(field, value):
    offer = load_event("contract-offer")
    offer["contractDraft"][field] = value

    assert _invalid_fields(offer) == [f"contractDraft.{field}"]


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "15/12/2026", "tomorrow", ""])
def test_invalid_date_rejected(value):
    offer = load_event("contract-offer")
    offer["contractDraft"]["firstPaymentDate"] = value

    assert _invalid_fields(offer) == ["contractDraft.firstPaymentDate"]


@pytest.mark.parametrize("contract_id", ["C 1", "C/1", "-C1", "", "C" * 65, "C\n1", "C1\n"])
def test_invalid_contract_id_rejected(contract_id):
    offer = load_event("contract-offer")
    offer["contractId"] = contract_id

    assert _invalid_fields(offer) == ["contractId"]


def test_unknown_top_level_key_rejected():
    offer = load_event("contract-offer")
    offer["priority"] = "high"

    assert _invalid_fields(offer) == ["priority"]


@pytest.mark.parametrize("payload", [[], "contract", 42, None], ids=["list", "string", "number", "null"])
def test_non_object_body_rejected(payload):
    assert _invalid_fields(payload) == ["body"]


def test_several_errors_listed_with_paths():
    offer = load_event("contract-offer")
    offer["actions"][0]["offset"] = Decimal("1.5")
    offer["actions"][3]["name"] = "unknown"
    offer["contractDraft"]["currency"] = "usd"

    assert _invalid_fields(offer) == ["contractDraft.currency", "actions[0].offset", "actions[3].name"]


def test_error_message_names_fields():
    offer = load_event("contract-offer")
    del offer["accountId"]

    with pytest.raises(InvalidContractError, match="accountId"):
        parse_contract(offer)


@pytest.mark.parametrize("value", ["1e3", "1E+3", "12,00", " 120.00", "0x10"])
def test_money_rejects_non_plain_decimals(value):
    payload = load_event("contract-offer")
    payload["contractDraft"]["balance"] = value

    assert _invalid_fields(payload) == ["contractDraft.balance"]


@pytest.mark.parametrize("value", ["2026-12-15T00:00:00", "20261215", "2026-12-15Z", 20261215])
def test_first_payment_date_must_be_calendar_date(value):
    payload = load_event("contract-offer")
    payload["contractDraft"]["firstPaymentDate"] = value

    assert _invalid_fields(payload) == ["contractDraft.firstPaymentDate"]


@pytest.mark.parametrize("other_data", [{}, {"newRate": "abc"}, {"newRate": "1.5"}, {"newRate": 0.5}, {"rate": "0.1"}])
def test_rate_change_needs_valid_new_rate(other_data):
    payload = load_event("contract-offer")
    payload["actions"] = [{"name": "rateChange", "offset": 16, "otherData": other_data}]

    assert _invalid_fields(payload) == ["actions[0]"]


@pytest.mark.parametrize("new_rate", ["0", "0.0", "0.045", "1", "1.000000"])
def test_rate_change_accepts_rates(new_rate):
    payload = load_event("contract-offer")
    payload["actions"] = [{"name": "rateChange", "offset": 16, "otherData": {"newRate": new_rate}}]

    assert parse_contract(payload).actions[0].otherData == {"newRate": new_rate}


@pytest.mark.parametrize("contract_id", ["C 1", "C-1\n", "-C1", "x" * 65, "C\u00e9"])
def test_invalid_id_message_is_readable(contract_id):
    payload = load_event("contract-offer")
    payload["contractId"] = contract_id

    with pytest.raises(InvalidContractError) as raised:
        parse_contract(payload)

    assert raised.value.errors[0]["field"] == "contractId"
    assert "1 to 64 characters" in raised.value.errors[0]["message"]
