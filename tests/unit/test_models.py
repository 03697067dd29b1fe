"""parse_contract: the accepted payload shapes and the field path of every rejection."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from common.currencies import ISO_4217_CODES
from common.errors import InvalidContractError
from common.models import (
    MAX_ACTIONS,
    MAX_CONTRACT_INFO_EXTRA_KEYS,
    MAX_CONTRACT_INFO_KEY_LENGTH,
    MAX_CONTRACT_INFO_TEXT_LENGTH,
    MAX_CONTRACT_INFO_VALUE_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    MAX_OFFSET_DAYS,
    MAX_TERM_MONTHS,
    MONEY_DECIMAL_PLACES,
    MONEY_MAX_DIGITS,
    parse_contract,
)
from tests.events import load_event, read_event_text


def _invalid_fields(payload: Any) -> list[str]:
    with pytest.raises(InvalidContractError) as caught:
        parse_contract(payload)
    return [error["field"] for error in caught.value.errors]


def _with_value(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """Return the sample offer with the value at ``path`` replaced."""
    offer: dict[str, Any] = load_event("contract-offer")
    target: Any = offer
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return offer


def _contract_info_with_extra_keys(count: int) -> dict[str, Any]:
    info: dict[str, Any] = load_event("contract-offer")["contractInfo"]
    return {**info, **{f"extra{index}": "x" for index in range(count)}}


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
        pytest.param(1.0, id="python-float-integral"),
        pytest.param(Decimal("1.0"), id="json-float-one"),
        pytest.param("1", id="string-one"),
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


@pytest.mark.parametrize(
    "other_data",
    [
        {},
        {"newRate": "abc"},
        {"newRate": "1.5"},
        {"newRate": 0.5},
        {"rate": "0.1"},
        {"newRate": "0.\u0665"},
        {"newRate": "0.5\n"},
    ],
)
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


ONE_ACTION = {"name": "action1", "offset": 1}
MONEY_INTEGER_DIGITS = MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES
MAX_LENGTH_KEY = "k" * MAX_CONTRACT_INFO_KEY_LENGTH
TOO_LONG_KEY = "k" * (MAX_CONTRACT_INFO_KEY_LENGTH + 1)


@pytest.mark.parametrize(
    ("path", "value", "invalid_field"),
    [
        pytest.param(("contractId",), "C" * MAX_IDENTIFIER_LENGTH, None, id="contract-id-at-max"),
        pytest.param(("contractId",), "C" * (MAX_IDENTIFIER_LENGTH + 1), "contractId", id="contract-id-over-max"),
        pytest.param(("accountId",), "A" * MAX_IDENTIFIER_LENGTH, None, id="account-id-at-max"),
        pytest.param(("accountId",), "A" * (MAX_IDENTIFIER_LENGTH + 1), "accountId", id="account-id-over-max"),
        pytest.param(("actions",), [ONE_ACTION], None, id="actions-at-min"),
        pytest.param(("actions",), [], "actions", id="actions-under-min"),
        pytest.param(("actions",), [ONE_ACTION] * MAX_ACTIONS, None, id="actions-at-max"),
        pytest.param(("actions",), [ONE_ACTION] * (MAX_ACTIONS + 1), "actions", id="actions-over-max"),
        pytest.param(("actions", 0, "offset"), 0, None, id="offset-at-min"),
        pytest.param(("actions", 0, "offset"), -1, "actions[0].offset", id="offset-under-min"),
        pytest.param(("actions", 0, "offset"), MAX_OFFSET_DAYS, None, id="offset-at-max"),
        pytest.param(("actions", 0, "offset"), MAX_OFFSET_DAYS + 1, "actions[0].offset", id="offset-over-max"),
        pytest.param(("contractDraft", "termMonths"), 1, None, id="term-at-min"),
        pytest.param(("contractDraft", "termMonths"), 0, "contractDraft.termMonths", id="term-under-min"),
        pytest.param(("contractDraft", "termMonths"), MAX_TERM_MONTHS, None, id="term-at-max"),
        pytest.param(
            ("contractDraft", "termMonths"), MAX_TERM_MONTHS + 1, "contractDraft.termMonths", id="term-over-max"
        ),
        pytest.param(
            ("contractDraft", "balance"),
            "9" * MONEY_INTEGER_DIGITS + "." + "9" * MONEY_DECIMAL_PLACES,
            None,
            id="money-digits-at-max",
        ),
        pytest.param(
            ("contractDraft", "balance"),
            "9" * (MONEY_INTEGER_DIGITS + 1) + "." + "9" * MONEY_DECIMAL_PLACES,
            "contractDraft.balance",
            id="money-digits-over-max",
        ),
        pytest.param(
            ("contractDraft", "balance"), "0." + "0" * (MONEY_DECIMAL_PLACES - 1) + "1", None, id="money-places-at-max"
        ),
        pytest.param(
            ("contractDraft", "balance"),
            "0." + "0" * MONEY_DECIMAL_PLACES + "1",
            "contractDraft.balance",
            id="money-places-over-max",
        ),
        pytest.param(("contractDraft", "balance"), "0", None, id="money-at-min"),
        pytest.param(("contractDraft", "balance"), Decimal("-0.01"), "contractDraft.balance", id="money-under-min"),
        pytest.param(("contractInfo", "product"), "p" * MAX_CONTRACT_INFO_TEXT_LENGTH, None, id="product-at-max"),
        pytest.param(
            ("contractInfo", "product"),
            "p" * (MAX_CONTRACT_INFO_TEXT_LENGTH + 1),
            "contractInfo.product",
            id="product-over-max",
        ),
        pytest.param(("contractInfo", "channel"), "c" * MAX_CONTRACT_INFO_TEXT_LENGTH, None, id="channel-at-max"),
        pytest.param(
            ("contractInfo", "channel"),
            "c" * (MAX_CONTRACT_INFO_TEXT_LENGTH + 1),
            "contractInfo.channel",
            id="channel-over-max",
        ),
        pytest.param(
            ("contractInfo", "initiatedBy"), "a" * MAX_CONTRACT_INFO_TEXT_LENGTH, None, id="initiated-by-at-max"
        ),
        pytest.param(
            ("contractInfo", "initiatedBy"),
            "a" * (MAX_CONTRACT_INFO_TEXT_LENGTH + 1),
            "contractInfo.initiatedBy",
            id="initiated-by-over-max",
        ),
        pytest.param(
            ("contractInfo",),
            _contract_info_with_extra_keys(MAX_CONTRACT_INFO_EXTRA_KEYS),
            None,
            id="extra-keys-at-max",
        ),
        pytest.param(
            ("contractInfo",),
            _contract_info_with_extra_keys(MAX_CONTRACT_INFO_EXTRA_KEYS + 1),
            "contractInfo",
            id="extra-keys-over-max",
        ),
        pytest.param(("contractInfo", MAX_LENGTH_KEY), "x", None, id="extra-key-length-at-max"),
        pytest.param(
            ("contractInfo", TOO_LONG_KEY), "x", f"contractInfo.{TOO_LONG_KEY}", id="extra-key-length-over-max"
        ),
        pytest.param(("contractInfo", "note"), "v" * MAX_CONTRACT_INFO_VALUE_LENGTH, None, id="extra-value-at-max"),
        pytest.param(
            ("contractInfo", "note"),
            "v" * (MAX_CONTRACT_INFO_VALUE_LENGTH + 1),
            "contractInfo.note",
            id="extra-value-over-max",
        ),
    ],
)
def test_limit_boundaries(path, value, invalid_field):
    offer = _with_value(path, value)

    if invalid_field is None:
        parse_contract(offer)
    else:
        assert _invalid_fields(offer) == [invalid_field]


def test_upstream_list_over_max_reported_as_actions():
    offer = load_event("contract-upstream-list")
    offer["List"] = [ONE_ACTION] * (MAX_ACTIONS + 1)

    assert _invalid_fields(offer) == ["actions"]


@pytest.mark.parametrize(
    "term", [True, 12.0, Decimal("12.0"), "12"], ids=["bool", "python-float", "json-float", "string"]
)
def test_term_months_must_be_json_integer(term):
    assert _invalid_fields(_with_value(("contractDraft", "termMonths"), term)) == ["contractDraft.termMonths"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(120.5, id="python-float"),
        pytest.param(120.0, id="python-float-integral"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param(True, id="bool"),
    ],
)
def test_money_rejects_floats_and_booleans(value):
    assert _invalid_fields(_with_value(("contractDraft", "monthlyPayment"), value)) == ["contractDraft.monthlyPayment"]


def test_money_float_message_names_problem():
    with pytest.raises(InvalidContractError) as caught:
        parse_contract(_with_value(("contractDraft", "balance"), 120.5))

    assert "not a binary float" in caught.value.errors[0]["message"]


def test_money_as_json_integer_accepted():
    assert parse_contract(_with_value(("contractDraft", "balance"), 1520)).contractDraft.balance == Decimal("1520")


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        pytest.param("1520.55", Decimal("1520.55"), id="json-number"),
        pytest.param("1520", Decimal("1520"), id="json-integer"),
        pytest.param('"1520.55"', Decimal("1520.55"), id="json-string"),
    ],
)
def test_money_from_raw_json_accepted(literal, expected):
    body = read_event_text("contract-offer").replace('"balance": "1520.55"', f'"balance": {literal}')

    assert parse_contract(json.loads(body, parse_float=Decimal)).contractDraft.balance == expected


@pytest.mark.parametrize("literal", ["1e3", "1.5E+3", "NaN", "Infinity", "-Infinity", "1520.555", "-1520.55"])
def test_money_from_raw_json_rejected(literal):
    body = read_event_text("contract-offer").replace('"balance": "1520.55"', f'"balance": {literal}')

    assert _invalid_fields(json.loads(body, parse_float=Decimal)) == ["contractDraft.balance"]


@pytest.mark.parametrize("currency", ["USD", "EUR", "JPY", "GBP", "XCG", "ZWG", "CHF"])
def test_active_currency_accepted(currency):
    assert parse_contract(_with_value(("contractDraft", "currency"), currency)).contractDraft.currency == currency


@pytest.mark.parametrize(
    "currency",
    [
        pytest.param("ABC", id="unassigned"),
        pytest.param("HRK", id="withdrawn-2023"),
        pytest.param("ANG", id="withdrawn-2025"),
        pytest.param("BGN", id="withdrawn-2026"),
        pytest.param("usd", id="lowercase"),
        pytest.param(840, id="numeric-code"),
    ],
)
def test_unknown_currency_rejected(currency):
    assert _invalid_fields(_with_value(("contractDraft", "currency"), currency)) == ["contractDraft.currency"]


def test_unknown_currency_message_names_standard():
    with pytest.raises(InvalidContractError) as caught:
        parse_contract(_with_value(("contractDraft", "currency"), "HRK"))

    assert "must be an active ISO 4217 currency code" in caught.value.errors[0]["message"]
    assert "'HRK'" in caught.value.errors[0]["message"]


def test_currency_codes_are_three_uppercase_letters():
    malformed = sorted(code for code in ISO_4217_CODES if not (len(code) == 3 and code.isascii() and code.isupper()))

    assert malformed == []


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("winter-2026", id="string"),
        pytest.param(3, id="integer"),
        pytest.param(Decimal("2.5"), id="json-number"),
        pytest.param(True, id="boolean"),
        pytest.param(None, id="null"),
    ],
)
def test_contract_info_scalar_extra_kept(value):
    contract = parse_contract(_with_value(("contractInfo", "campaign"), value))

    assert contract.contractInfo.model_dump()["campaign"] == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"name": "winter"}, id="nested-object"),
        pytest.param(["winter", "2026"], id="array"),
        pytest.param(2.5, id="python-float"),
        pytest.param(Decimal("NaN"), id="decimal-nan"),
    ],
)
def test_contract_info_non_scalar_extra_rejected(value):
    assert _invalid_fields(_with_value(("contractInfo", "campaign"), value)) == ["contractInfo.campaign"]


@pytest.mark.parametrize("key", ["a b", "1st", "_private", "", "campaign\n", "caf\u00e9"])
def test_contract_info_invalid_key_rejected(key):
    assert _invalid_fields(_with_value(("contractInfo", key), "x")) == [f"contractInfo.{key}"]


def test_contract_info_every_problem_listed():
    offer = load_event("contract-offer")
    offer["contractInfo"] = {"a b": "x", "campaign": {"name": "winter"}, "channel": "c" * 65}

    assert _invalid_fields(offer) == [
        "contractInfo.product",
        "contractInfo.channel",
        "contractInfo.campaign",
        "contractInfo.a b",
    ]


def test_too_many_and_invalid_keys_listed():
    offer = load_event("contract-offer")
    offer["contractInfo"] = {**_contract_info_with_extra_keys(MAX_CONTRACT_INFO_EXTRA_KEYS), "a b": "x"}

    assert _invalid_fields(offer) == ["contractInfo.a b", "contractInfo"]


def test_every_invalid_field_listed():
    offer = load_event("contract-offer")
    offer["contractId"] = "C" * (MAX_IDENTIFIER_LENGTH + 1)
    offer["contractInfo"]["campaign"] = ["winter"]
    offer["contractDraft"]["balance"] = 1520.55
    offer["contractDraft"]["currency"] = "HRK"
    offer["contractDraft"]["termMonths"] = MAX_TERM_MONTHS + 1
    offer["actions"][0]["offset"] = True
    offer["actions"][1]["name"] = "sendPostcard"

    assert _invalid_fields(offer) == [
        "contractId",
        "contractInfo.campaign",
        "contractDraft.balance",
        "contractDraft.currency",
        "contractDraft.termMonths",
        "actions[0].offset",
        "actions[1].name",
    ]


# Fullwidth and Arabic-Indic digits, written as escapes so the source stays ASCII.
@pytest.mark.parametrize("amount", ["\uff11\uff12\uff13", "\u0663\u0663\u0663", "1\uff120.00"])
def test_money_non_ascii_digits_rejected(amount):
    contract = load_event("contract-offer")
    contract["contractDraft"]["balance"] = amount

    with pytest.raises(InvalidContractError) as raised:
        parse_contract(contract)

    assert [error["field"] for error in raised.value.errors] == ["contractDraft.balance"]


@pytest.mark.parametrize("amount", ["120", "120.0", "0120.00", Decimal("120.00"), 120])
def test_money_normalized_to_two_places(amount):
    contract = load_event("contract-offer")
    contract["contractDraft"]["monthlyPayment"] = amount

    dumped = parse_contract(contract).model_dump(mode="json")

    assert dumped["contractDraft"]["monthlyPayment"] == "120.00"
