"""Fulfil an action: called by the workflow for offset 0 and by Scheduler when a hook comes due."""

import json
from datetime import UTC, datetime
from typing import Any

from common.actions import ActionContext, handler_for
from common.aws import client, table
from common.config import require_env
from common.faults import raise_if_injected
from common.observability import logger

FULFILLED = "FULFILLED"


def _record(hook: dict[str, Any], result: dict[str, Any], fulfilled_at: str) -> None:
    action = hook["action"]
    table(require_env("HOOKS_TABLE_NAME")).update_item(
        Key={"contractId": hook["contractId"], "hookName": hook["hookName"]},
        UpdateExpression=(
            "SET #status = :fulfilled, fulfilledAt = :now, accountId = :account, actionName = :name,"
            " #offset = :offset, scheduledFor = :scheduled, #result = :result"
        ),
        ExpressionAttributeNames={"#status": "status", "#offset": "offset", "#result": "result"},
        ExpressionAttributeValues={
            ":fulfilled": FULFILLED,
            ":now": fulfilled_at,
            ":account": hook["accountId"],
            ":name": action["name"],
            ":offset": action["offset"],
            ":scheduled": hook["scheduledFor"],
            ":result": json.dumps(result),
        },
    )
    table(require_env("AUDIT_TABLE_NAME")).put_item(
        Item={
            "contractId": hook["contractId"],
            "auditId": f"{fulfilled_at}#ACTION_FULFILLED#{hook['hookName']}",
            "outcome": "ACTION_FULFILLED",
            "actionName": action["name"],
            "offset": action["offset"],
            "hookName": hook["hookName"],
        }
    )
    client("kinesis").put_record(
        StreamName=require_env("STREAM_NAME"),
        PartitionKey=hook["accountId"],
        Data=json.dumps(
            {
                "eventType": "ActionFulfilled",
                "contractId": hook["contractId"],
                "accountId": hook["accountId"],
                "actionName": action["name"],
                "offset": action["offset"],
                "hookName": hook["hookName"],
                "fulfilledAt": fulfilled_at,
            }
        ).encode(),
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the registered handler of the hook's action, then record, audit and publish it."""
    action = event["action"]
    logger.append_keys(contract_id=event["contractId"], hook_name=event["hookName"], action=action["name"])
    raise_if_injected(event, "fulfil_action")
    handler = handler_for(action["name"])
    result = handler(
        ActionContext(
            contract_id=event["contractId"],
            account_id=event["accountId"],
            name=action["name"],
            offset=action["offset"],
            other_data=action.get("otherData") or {},
            hook_name=event["hookName"],
        )
    )
    fulfilled_at = datetime.now(UTC).isoformat()
    _record(event, result, fulfilled_at)
    logger.info("action_fulfilled", offset=action["offset"])
    return {"hookName": event["hookName"], "status": FULFILLED, "fulfilledAt": fulfilled_at, "result": result}
