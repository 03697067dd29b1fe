"""The customer profile store: the enrollment attributes a contract sets, and how to put them back."""

from typing import Any

from botocore.exceptions import ClientError

from common.aws import table

# The attributes an enrollment sets; compensation restores their previous values.
ENROLLMENT_ATTRIBUTES = ("status", "contractId", "enrolledAt", "product", "updatedAt")


def enrollment_snapshot(old_item: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the enrollment attributes of a profile before an update (None: there was no profile)."""
    if not old_item:
        return None
    return {name: old_item[name] for name in ENROLLMENT_ATTRIBUTES if name in old_item}


def restore(table_name: str, *, account_id: str, contract_id: str, previous: dict[str, Any] | None) -> bool:
    """Put back the profile as ``previous`` describes it, if ``contract_id`` still owns it.

    Returns False when there is nothing to restore: already restored, or another contract has
    enrolled the account since. A profile that did not exist before is deleted.
    """
    profiles = table(table_name)
    key = {"accountId": account_id}
    try:
        if previous is None:
            profiles.delete_item(
                Key=key,
                ConditionExpression="contractId = :current",
                ExpressionAttributeValues={":current": contract_id},
            )
            return True
        restored = [name for name in ENROLLMENT_ATTRIBUTES if name in previous]
        dropped = [name for name in ENROLLMENT_ATTRIBUTES if name not in previous]
        clauses = []
        if restored:
            clauses.append("SET " + ", ".join(f"#{name} = :{name}" for name in restored))
        if dropped:
            clauses.append("REMOVE " + ", ".join(f"#{name}" for name in dropped))
        profiles.update_item(
            Key=key,
            UpdateExpression=" ".join(clauses),
            ConditionExpression="#contractId = :current",
            ExpressionAttributeNames={f"#{name}": name for name in ENROLLMENT_ATTRIBUTES},
            ExpressionAttributeValues={**{f":{name}": previous[name] for name in restored}, ":current": contract_id},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
