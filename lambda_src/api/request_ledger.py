"""One execution per contract at a time, and stored responses for replays.

The requests table has one item per contract id. A request takes the contract's lock with a
conditional put. The workflow then either stores its response on the same item (COMPLETED) or
deletes the item when it fails and has undone its work. A lock left by a crashed request
expires: the put's condition accepts an IN_PROGRESS item whose ``expiresAt`` has passed, so
correctness never depends on DynamoDB TTL (which the local emulator ignores).

The same transaction takes a lock on the contract's account (item ``account#<accountId>``,
which no contract id can equal), because two contracts of one account that both fail would
otherwise each restore a profile the other had changed. The workflow releases it as it
finishes.
"""

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common.aws import client, table

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
# The longest Retry-After sent: most executions finish in a second or two.
MAX_RETRY_AFTER_SECONDS = 5
# Bounds the loop when the holder releases the lock between our put and our read.
MAX_ACQUIRE_ATTEMPTS = 3
ACCOUNT_KEY_PREFIX = "account#"
LOCK_CONDITION = "attribute_not_exists(contractId) OR (#state = :in_progress AND expiresAt < :now)"


def account_lock_key(account_id: str) -> str:
    """Return the requests-table key of an account's lock; contract ids cannot contain '#'."""
    return f"{ACCOUNT_KEY_PREFIX}{account_id}"


def request_fingerprint(contract: dict[str, Any]) -> str:
    """Hash the parsed contract, so key order, spacing and the `List` alias make no difference."""
    canonical = json.dumps(contract, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Acquired:
    """This request holds the contract's lock and may run the workflow."""


@dataclass(frozen=True)
class Busy:
    """Another request holds the lock of the contract or of its account; retry after ``retry_after`` seconds."""

    retry_after: int
    account: bool = False


@dataclass(frozen=True)
class Replay:
    """The same request already finished, with this stored response."""

    http_status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class DifferentRequest:
    """The contract id finished with a different request body."""


Claim = Acquired | Busy | Replay | DifferentRequest


class RequestLedger:
    """Contract locks and stored responses in the requests table."""

    def __init__(self, table_name: str, *, lock_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self._table_name = table_name
        self._lock_seconds = lock_seconds
        self._clock = clock

    def finished(self, *, contract_id: str, fingerprint: str) -> Replay | DifferentRequest | None:
        """Return the stored outcome of a finished request for ``contract_id``, or None when none finished."""
        item = self._read(contract_id)
        if item is None or item.get("state") != COMPLETED:
            return None
        if item.get("requestHash") != fingerprint:
            return DifferentRequest()
        return Replay(http_status=int(item["httpStatus"]), body=json.loads(item["responseBody"]))

    def claim(self, *, contract_id: str, account_id: str, fingerprint: str, lock_token: str) -> Claim:
        """Take the locks of ``contract_id`` and its account, or return why this request may not run now."""
        for _ in range(MAX_ACQUIRE_ATTEMPTS):
            if self._put_locks(contract_id, account_id, fingerprint, lock_token):
                return Acquired()
            finished = self.finished(contract_id=contract_id, fingerprint=fingerprint)
            if finished is not None:
                return finished
            account_item = self._read(account_lock_key(account_id))
            busy = self._busy(self._read(contract_id), account=False) or self._busy(account_item, account=True)
            if busy is not None:
                return busy
            # Released or expired between the transaction and the reads: try again.
        return Busy(retry_after=1)

    def _read(self, key: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (
            table(self._table_name).get_item(Key={"contractId": key}, ConsistentRead=True).get("Item")
        )
        return item

    def _busy(self, item: dict[str, Any] | None, *, account: bool) -> Busy | None:
        if item is None or item.get("state") != IN_PROGRESS:
            return None
        remaining = float(item.get("expiresAt", 0)) - self._clock()
        if remaining <= 0:
            return None
        return Busy(retry_after=max(1, math.ceil(min(remaining, MAX_RETRY_AFTER_SECONDS))), account=account)

    def _put_locks(self, contract_id: str, account_id: str, fingerprint: str, lock_token: str) -> bool:
        now = int(self._clock())
        lock = {
            "state": {"S": IN_PROGRESS},
            "lockToken": {"S": lock_token},
            "lockedAt": {"N": str(now)},
            "expiresAt": {"N": str(now + self._lock_seconds)},
        }

        def put(key: str, extra: dict[str, Any]) -> dict[str, Any]:
            return {
                "Put": {
                    "TableName": self._table_name,
                    "Item": {"contractId": {"S": key}, **lock, **extra},
                    "ConditionExpression": LOCK_CONDITION,
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {":in_progress": {"S": IN_PROGRESS}, ":now": {"N": str(now)}},
                }
            }

        dynamodb = client("dynamodb")
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    put(contract_id, {"requestHash": {"S": fingerprint}}),
                    put(account_lock_key(account_id), {"heldBy": {"S": contract_id}}),
                ]
            )
        except dynamodb.exceptions.TransactionCanceledException:
            return False
        return True
