"""Typed models of the contract request, parsed at the API before any workflow starts.

The upstream payload is still a draft: the action list may arrive under ``actions`` or ``List``.
Money is parsed as Decimal, never float, and serialized back as strings. Every limit below is a
named constant, and the field descriptions quote them, so the OpenAPI document (built from
these models by enrollctl/openapi.py) changes when a limit does.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StrictInt,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from common.actions import REGISTRY, check_other_data
from common.currencies import ISO_4217_CODES
from common.errors import InvalidContractError

MAX_IDENTIFIER_LENGTH = 64
MAX_ACTIONS = 100
MAX_ACTION_NAME_LENGTH = 64
MAX_OFFSET_DAYS = 3650
MAX_TERM_MONTHS = 600
# Money: at most 14 digits in all, 2 of them after the decimal point (so up to 999999999999.99).
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
# contractInfo: the named fields, and the extra keys the upstream draft may add.
MAX_CONTRACT_INFO_TEXT_LENGTH = 64
MAX_CONTRACT_INFO_EXTRA_KEYS = 20
MAX_CONTRACT_INFO_KEY_LENGTH = 64
MAX_CONTRACT_INFO_VALUE_LENGTH = 256

IDENTIFIER_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_IDENTIFIER_LENGTH - 1}}}$"
CONTRACT_INFO_KEY_PATTERN = rf"^[A-Za-z][A-Za-z0-9._-]{{0,{MAX_CONTRACT_INFO_KEY_LENGTH - 1}}}$"
# ASCII digits only: \d would also accept the digits of other scripts, such as fullwidth digits.
DECIMAL_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)?$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)

FLOAT_MESSAGE = "must be an exact decimal number, not a binary float, NaN or Infinity"


def _plain_decimal(value: Any) -> Any:
    # The API parses JSON numbers with a fraction as Decimal, so a float here is NaN, Infinity or
    # a caller's bug. Decimal("1e3") is valid Python but not a money amount anyone would send.
    if isinstance(value, bool):
        raise ValueError("must be a decimal string such as '120.00' or a JSON number, not true or false")
    if isinstance(value, float):
        raise ValueError(FLOAT_MESSAGE)
    if isinstance(value, str | Decimal) and not DECIMAL_PATTERN.fullmatch(str(value)):
        raise ValueError("must be a plain decimal number such as 120.00")
    return value


def _two_places(value: Decimal) -> Decimal:
    # "120", "120.0" and 120.00 are one amount: stored, compared and returned as "120.00".
    return value.quantize(MONEY_QUANTUM)


def _calendar_date(value: Any) -> Any:
    if not (isinstance(value, str) and DATE_PATTERN.fullmatch(value)):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def _identifier(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(IDENTIFIER_PATTERN, value):
        raise ValueError(
            f"must be 1 to {MAX_IDENTIFIER_LENGTH} characters of letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    return value


def _active_currency(value: str) -> str:
    if value not in ISO_4217_CODES:
        raise ValueError(f"must be an active ISO 4217 currency code in uppercase, such as USD, got {value!r}")
    return value


def _scalar_info_value(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_CONTRACT_INFO_VALUE_LENGTH:
            raise ValueError(f"must be at most {MAX_CONTRACT_INFO_VALUE_LENGTH} characters, got {len(value)}")
        return value
    if isinstance(value, float) or (isinstance(value, Decimal) and not value.is_finite()):
        raise ValueError(FLOAT_MESSAGE)
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    raise ValueError("must be a string, a number, true, false or null, not a nested object or array")


# Each constraining Field comes before the BeforeValidator, so the JSON schema keeps its constraints.
Identifier = Annotated[
    str,
    Field(
        pattern=IDENTIFIER_PATTERN,
        description=(
            f"1 to {MAX_IDENTIFIER_LENGTH} characters of letters, digits, '.', '_' or '-',"
            " starting with a letter or digit."
        ),
    ),
    BeforeValidator(_identifier),
]
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
    BeforeValidator(_plain_decimal),
    AfterValidator(_two_places),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DECIMAL_PATTERN.pattern},
                {"type": "number", "minimum": 0},
            ],
            "description": (
                f"Amount, not negative, with at most {MONEY_MAX_DIGITS} digits of which at most"
                f' {MONEY_DECIMAL_PLACES} follow the decimal point, such as "120.00". Send a string'
                " (preferred) or a JSON number, in plain notation without an exponent."
                " The API reads JSON numbers as exact decimals and returns amounts as strings."
            ),
        }
    ),
]
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
ContractInfoValue = Annotated[
    Any,
    AfterValidator(_scalar_info_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": MAX_CONTRACT_INFO_VALUE_LENGTH},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "null"},
            ]
        }
    ),
]


class Action(BaseModel):
    """One action of a contract; ``offset`` is the number of days after enrollment."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=MAX_ACTION_NAME_LENGTH,
        description="Name of a registered action. The intake rejects any other name.",
        json_schema_extra={"enum": [*sorted(REGISTRY)]},
    )
    offset: StrictInt = Field(
        ge=0,
        le=MAX_OFFSET_DAYS,
        description=(
            f"Whole days after the enrollment date, 0 to {MAX_OFFSET_DAYS}: 0 fulfils the action at"
            " enrollment, N fires a hook N calendar days later. Only a JSON integer is accepted:"
            ' 1.0, true and "1" are rejected.'
        ),
    )
    otherData: dict[str, Any] = Field(
        default_factory=dict,
        description='Data for the action. rateChange needs newRate as a decimal string from 0 to 1, such as "0.045".',
    )

    @field_validator("name")
    @classmethod
    def _registered(cls, name: str) -> str:
        if name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise ValueError(f"unknown action {name!r}; registered actions: {known}")
        return name

    @model_validator(mode="after")
    def _other_data_suits_action(self) -> "Action":
        check_other_data(self.name, self.otherData)
        return self


def _contract_info_key_errors(data: Any, known_keys: set[str]) -> list[InitErrorDetails]:
    """List one error per invalid extra key of a contractInfo object, and one when there are too many."""
    if not isinstance(data, dict):
        return []
    extra_keys = [key for key in data if key not in known_keys]
    errors = [
        InitErrorDetails(
            type=PydanticCustomError(
                "contract_info_key",
                "key must be 1 to {max_length} letters, digits, '.', '_' or '-', starting with a letter",
                {"max_length": MAX_CONTRACT_INFO_KEY_LENGTH},
            ),
            loc=(key,),
            input=key,
        )
        for key in extra_keys
        if not (isinstance(key, str) and re.fullmatch(CONTRACT_INFO_KEY_PATTERN, key))
    ]
    if len(extra_keys) > MAX_CONTRACT_INFO_EXTRA_KEYS:
        errors.append(
            InitErrorDetails(
                type=PydanticCustomError(
                    "contract_info_too_many_keys",
                    "has {count} extra keys, more than the maximum of {max_keys}",
                    {"count": len(extra_keys), "max_keys": MAX_CONTRACT_INFO_EXTRA_KEYS},
                ),
                loc=(),
                input=data,
            )
        )
    return errors


class ContractInfo(BaseModel):
    """Origin of the offer. Extra keys from the upstream draft are kept, within limits.

    Extra values must be scalars, because the upstream draft sends flat metadata (such as
    ``campaign``) and a nested object or array would need limits of its own.
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "propertyNames": {"pattern": CONTRACT_INFO_KEY_PATTERN},
            "description": (
                "Origin of the offer. Besides product, channel and initiatedBy it may carry up to"
                f" {MAX_CONTRACT_INFO_EXTRA_KEYS} extra keys of 1 to {MAX_CONTRACT_INFO_KEY_LENGTH}"
                " letters, digits, '.', '_' or '-' (starting with a letter), which are kept."
                f" Extra values are strings of at most {MAX_CONTRACT_INFO_VALUE_LENGTH} characters,"
                " numbers, booleans or null, never nested objects or arrays."
            ),
        },
    )

    __pydantic_extra__: dict[str, ContractInfoValue] = Field(init=False)

    product: str = Field(
        min_length=1,
        max_length=MAX_CONTRACT_INFO_TEXT_LENGTH,
        description="Product of the offer, such as hardship-plan. The eligibility ruleset decides which are offered.",
    )
    channel: str | None = Field(
        default=None,
        max_length=MAX_CONTRACT_INFO_TEXT_LENGTH,
        description="Channel the offer came through, such as agent-desktop.",
    )
    initiatedBy: str | None = Field(
        default=None, max_length=MAX_CONTRACT_INFO_TEXT_LENGTH, description="Agent or system that initiated the offer."
    )

    @model_validator(mode="wrap")
    @classmethod
    def _check_extra_keys(cls, data: Any, handler: ModelWrapValidatorHandler["ContractInfo"]) -> "ContractInfo":
        # Keys cannot be typed through __pydantic_extra__, so they are checked here. The field
        # errors and the key errors are raised together, so the client sees every problem at once.
        key_errors = _contract_info_key_errors(data, set(cls.model_fields))
        try:
            info = handler(data)
        except ValidationError as exc:
            if not key_errors:
                raise
            field_errors = [
                InitErrorDetails(
                    type=PydanticCustomError(error["type"], error["msg"]), loc=error["loc"], input=error["input"]
                )
                for error in exc.errors()
            ]
            raise ValidationError.from_exception_data(cls.__name__, [*field_errors, *key_errors]) from None
        if key_errors:
            raise ValidationError.from_exception_data(cls.__name__, key_errors)
        return info


class ContractDraft(BaseModel):
    """Payment terms of the offer."""

    model_config = ConfigDict(extra="forbid")

    balance: Money
    currency: Annotated[str, AfterValidator(_active_currency)] = Field(
        description=(
            f"Active ISO 4217 alphabetic code, uppercase ({len(ISO_4217_CODES)} codes). The eligibility"
            " ruleset decides which currencies can be enrolled."
        ),
        json_schema_extra={"enum": [*sorted(ISO_4217_CODES)]},
    )
    monthlyPayment: Money
    termMonths: StrictInt = Field(
        ge=1, le=MAX_TERM_MONTHS, description=f"Number of monthly payments as a JSON integer, 1 to {MAX_TERM_MONTHS}."
    )
    firstPaymentDate: CalendarDate = Field(description="Calendar date as YYYY-MM-DD (ISO 8601).")


class ContractRequest(BaseModel):
    """One contract offer, exactly as the client sends it."""

    model_config = ConfigDict(extra="forbid")

    contractId: Identifier
    accountId: Identifier
    contractInfo: ContractInfo
    contractDraft: ContractDraft
    actions: list[Action] = Field(
        min_length=1,
        max_length=MAX_ACTIONS,
        description=f"1 to {MAX_ACTIONS} actions. The upstream draft may send this list under `List` instead.",
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_upstream_list_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and "List" in data:
            if "actions" in data:
                raise ValueError("send the action list under 'actions' or 'List', not both")
            data = {**data, "actions": data["List"]}
            del data["List"]
        return data


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif path:
            path += f".{part}"
        else:
            path = str(part)
    return path or "body"


def parse_contract(payload: Any) -> ContractRequest:
    """Validate a decoded JSON body; raise InvalidContractError listing every invalid field."""
    try:
        return ContractRequest.model_validate(payload)
    except ValidationError as exc:
        errors = [{"field": _field_path(error["loc"]), "message": error["msg"]} for error in exc.errors()]
        raise InvalidContractError(errors) from exc
