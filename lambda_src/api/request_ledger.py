"""One execution per contract at a time, and stored responses for replays.

The requests table holds one item per contract id. A request takes the contract's lock with a
conditional put; the workflow then either stores its response on the same item (COMPLETED) or
deletes the item when it fails and has undone its work. A lock left by a crashed request
expires: the put's condition accepts an IN_PROGRESS item whose ``expiresAt`` has passed, so
correctness never depends on DynamoDB TTL (which the local emulator ignores).
"""

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from common.aws import table

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
# The longest Retry-After sent: most executions finish in a second or two.
MAX_RETRY_AFTER_SECONDS = 5
# Bounds the loop when the holder releases the lock between our put and our read.
MAX_ACQUIRE_ATTEMPTS = 3


def request_fingerprint(contract: dict[str, Any]) -> str:
    """Hash the parsed contract, so key order, spacing and the `List` alias make no difference."""
    canonical = json.dumps(contract, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Acquired:
    """This request holds the contract's lock and may run the workflow."""


@dataclass(frozen=True)
class Busy:
    """Another request holds the lock; come back after ``retry_after`` seconds."""

    retry_after: int


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

    def claim(self, *, contract_id: str, fingerprint: str, lock_token: str) -> Claim:
        """Take the lock for ``contract_id``, or return why this request may not run now."""
        for _ in range(MAX_ACQUIRE_ATTEMPTS):
            if self._put_lock(contract_id, fingerprint, lock_token):
                return Acquired()
            item = table(self._table_name).get_item(Key={"contractId": contract_id}, ConsistentRead=True).get("Item")
            if item is None:
                continue  # released between the put and the read: try again
            if item.get("state") == COMPLETED:
                if item.get("requestHash") != fingerprint:
                    return DifferentRequest()
                return Replay(http_status=int(item["httpStatus"]), body=json.loads(item["responseBody"]))
            remaining = float(item.get("expiresAt", 0)) - self._clock()
            if remaining <= 0:
                continue  # expired between the put and the read: try again
            return Busy(retry_after=max(1, math.ceil(min(remaining, MAX_RETRY_AFTER_SECONDS))))
        return Busy(retry_after=1)

    def _put_lock(self, contract_id: str, fingerprint: str, lock_token: str) -> bool:
        now = self._clock()
        try:
            table(self._table_name).put_item(
                Item={
                    "contractId": contract_id,
                    "state": IN_PROGRESS,
                    "requestHash": fingerprint,
                    "lockToken": lock_token,
                    "lockedAt": int(now),
                    "expiresAt": int(now) + self._lock_seconds,
                },
                ConditionExpression="attribute_not_exists(contractId) OR (#state = :in_progress AND expiresAt < :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":in_progress": IN_PROGRESS, ":now": int(now)},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
