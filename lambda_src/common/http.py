"""Lambda-proxy responses and correlation ids shared by the API's functions."""

import json
import uuid
from typing import Any


def correlation_id_of(event: dict[str, Any]) -> str:
    """Return ``corr-`` and the API Gateway request id of ``event`` (a random id when it has none)."""
    request_id = (event.get("requestContext") or {}).get("requestId") or str(uuid.uuid4())
    return f"corr-{request_id}"


def json_response(
    status: int, body: dict[str, Any], correlation_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Build a Lambda-proxy response with a JSON body and the X-Correlation-Id header."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "X-Correlation-Id": correlation_id, **(headers or {})},
        "body": json.dumps(body),
    }
