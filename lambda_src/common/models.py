"""Typed models of the contract request, parsed at the API before any workflow starts.

The upstream payload is still a draft: the action list may arrive under ``actions`` or ``List``.
Money is parsed as Decimal, never float, and serialized back as strings.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from common.actions import REGISTRY, check_other_data
from common.errors import InvalidContractError

MAX_ACTIONS = 100
MAX_OFFSET_DAYS = 3650
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

DECIMAL_PATTERN = re.compile(r"^\d+(\.\d+)?$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _plain_decimal(value: Any) -> Any:
    # Decimal("1e3") is valid Python but not a money amount anyone would send.
    if isinstance(value, str | Decimal) and not DECIMAL_PATTERN.fullmatch(str(value)):
        raise ValueError("must be a plain decimal number such as 120.00")
    return value


def _calendar_date(value: Any) -> Any:
    if not (isinstance(value, str) and DATE_PATTERN.fullmatch(value)):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def _identifier(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(IDENTIFIER_PATTERN, value):
        raise ValueError(
            "must be 1 to 64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


Identifier = Annotated[str, BeforeValidator(_identifier), Field(pattern=IDENTIFIER_PATTERN)]
Money = Annotated[Decimal, BeforeValidator(_plain_decimal), Field(ge=0, max_digits=14, decimal_places=2)]
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class Action(BaseModel):
    """One action of a contract; ``offset`` is the number of days after enrollment."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    offset: StrictInt = Field(ge=0, le=MAX_OFFSET_DAYS)
    otherData: dict[str, Any] = Field(default_factory=dict)

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


class ContractInfo(BaseModel):
    """Origin of the offer; extra keys from the upstream draft are kept."""

    model_config = ConfigDict(extra="allow")

    product: str = Field(min_length=1, max_length=64)
    channel: str | None = Field(default=None, max_length=64)
    initiatedBy: str | None = Field(default=None, max_length=64)


class ContractDraft(BaseModel):
    """Payment terms of the offer."""

    model_config = ConfigDict(extra="forbid")

    balance: Money
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    monthlyPayment: Money
    termMonths: StrictInt = Field(ge=1, le=600)
    firstPaymentDate: CalendarDate


class ContractRequest(BaseModel):
    """One contract offer, exactly as the client sends it."""

    model_config = ConfigDict(extra="forbid")

    contractId: Identifier
    accountId: Identifier
    contractInfo: ContractInfo
    contractDraft: ContractDraft
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)

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
