"""Build the OpenAPI 3.1 document of the contract API and write it to docs/openapi.json.

The request schema is ContractRequest.model_json_schema(). The response schemas are the
documentation-only models below, written to match what lambda_src/api/handler.py,
asl/immediate_workflow.asl.json and lambda_src/contract_hooks/handler.py return; runtime code
does not import them. Limits are read from their constants when the document is built, so
changing a constant changes the document.

Run ``python -m enrollctl.openapi`` to rewrite the file. tests/unit/test_openapi.py fails while
the committed file differs from build_document(). To document another operation, write a
function that returns its Operation Object and add it to OPERATIONS.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api import handler as api_handler
from common import models
from common.actions import REGISTRY
from common.currencies import ISO_4217_CODES
from common.faults import STEPS
from common.models import ContractRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OPENAPI_PATH = PROJECT_ROOT / "docs" / "openapi.json"
EXAMPLES_DIR = PROJECT_ROOT / "examples"

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
# The stage that cdk_constructs/contract_api.py deploys. The server URL stays relative, naming no host.
STAGE_PATH = "/v1"
SECURITY_SCHEME = "sigv4"
CORRELATION_HEADER = "X-Correlation-Id"
REPLAY_HEADER = "X-Idempotent-Replay"
RETRY_AFTER_HEADER = "Retry-After"
SCHEMA_REF = "#/components/schemas/{model}"
# Sample requests shown in the document: example name, file in examples/, summary.
REQUEST_EXAMPLES = (
    ("offer", "contract-offer.json", "Eligible offer with actions at offsets 0, 1, 3 and 16 days"),
    ("notEligible", "contract-not-eligible.json", "Offer that the ruleset answers NOT_ELIGIBLE"),
    ("upstreamList", "contract-upstream-list.json", "Upstream draft shape: the action list under List"),
)

# Statuses that only API Gateway returns, so their responses carry no X-Correlation-Id.
GATEWAY_ONLY_STATUSES = ("403", "429")

CorrelationId = Annotated[
    str,
    Field(
        description=f"Correlation id of the request, also sent as {CORRELATION_HEADER}. Quote it to report a problem."
    ),
]


class EligibilityDecision(BaseModel):
    """Eligibility decision of the rules engine."""

    eligible: bool = Field(description="True when every rule of the ruleset passed.")
    reasons: list[str] = Field(description="One reason per failed rule, empty when eligible.")
    rulesetVersion: str = Field(description="Version of the ruleset that decided, such as 2026-12-01.1.")


class PaymentPlan(BaseModel):
    """The payment plan set up from the contract draft."""

    planId: str
    destination: str = Field(description="Payments system that stores the plan, such as ledger.")
    status: str = Field(description="Status of the plan at the destination, such as ACTIVE.")
    monthlyPayment: str = Field(description="Monthly payment as a decimal string, such as 120.00.")
    currency: str = Field(description="ISO 4217 code of the contract draft.")
    termMonths: int
    firstPaymentDate: date


class StreamPosition(BaseModel):
    """Position of the enrollment event on the enrollment stream (Kinesis)."""

    sequenceNumber: str
    shardId: str


class EnrolledResponse(BaseModel):
    """Response to an eligible contract, once its customer profile, payments and enrollment event are in place."""

    status: Literal["ENROLLED"]
    contractId: str
    accountId: str
    correlationId: CorrelationId
    enrolledAt: datetime = Field(description="When the customer profile was enrolled (UTC).")
    eligibility: EligibilityDecision
    payment: PaymentPlan
    event: StreamPosition


class NotEligibleResponse(BaseModel):
    """Response to a contract that the rules engine found not eligible. Only the decision is audited."""

    status: Literal["NOT_ELIGIBLE"]
    contractId: str
    accountId: str
    correlationId: CorrelationId
    reasons: list[str] = Field(description="One reason per failed rule.")
    rulesetVersion: str


class ErrorResponse(BaseModel):
    """Error returned by the API function itself, such as a body that is too large or a workflow that timed out."""

    error: str = Field(description="What failed and what to do next.")
    correlationId: CorrelationId


class InvalidField(BaseModel):
    """One invalid field of a rejected request."""

    field: str = Field(
        description=(
            "Path of the field, such as contractDraft.currency or actions[2].name: `body` for the"
            f" whole body, `header {api_handler.FAULT_HEADER}` for the fault header. Problems in a"
            " list sent under `List` are reported under `actions`."
        )
    )
    message: str


class InvalidRequestResponse(BaseModel):
    """Rejection of a request with an invalid body or header, returned before anything is written."""

    error: str = Field(description="`invalid contract request`, or why the body is not valid JSON.")
    correlationId: CorrelationId
    invalidFields: list[InvalidField] = Field(
        default_factory=list,
        description="One entry per invalid field. Absent when the body is not valid JSON.",
    )


class ConflictResponse(BaseModel):
    """Rejection of a request for a contract that is locked, or whose id finished with a different body."""

    error: str
    correlationId: CorrelationId
    reason: Literal["IN_PROGRESS", "DIFFERENT_REQUEST", "CANCELLED"] = Field(
        description=(
            "IN_PROGRESS: another request for this contract or its account is running, so retry"
            " after Retry-After seconds. DIFFERENT_REQUEST: this contract id already finished with"
            " another body, so send a new contract id. CANCELLED: the contract was cancelled, so"
            " send a new contract id."
        )
    )


class EnrollmentFailedResponse(BaseModel):
    """Failure of a started workflow, after its completed steps were undone, audited and alerted."""

    status: Literal["FAILED"]
    error: str
    # NOTE: lambda_src/compensation/handler.py and the "Note Compensation Failed" state of the
    # workflow set these reasons as string literals, so keep this list in step with them.
    reason: Literal["ENROLLMENT_FAILED", "COMPENSATION_FAILED"] = Field(
        description="ENROLLMENT_FAILED: every completed step was undone. COMPENSATION_FAILED: not all of it."
    )
    contractId: str
    correlationId: CorrelationId


class RulesEngineUnavailableResponse(BaseModel):
    """Failure to get an eligibility decision from the rules engine, after which nothing is enrolled."""

    status: Literal["FAILED"]
    error: str
    reason: Literal["RULES_ENGINE_UNAVAILABLE"]
    contractId: str
    correlationId: CorrelationId


HookStatus = Literal["PENDING", "IN_PROGRESS", "FULFILLED", "FAILED", "CANCELLED"]


class Hook(BaseModel):
    """One action of a contract: fulfilled at once (offset 0) or a hook that fires later."""

    hookName: str = Field(description="Name of the hook's schedule, unique per contract and action.")
    action: str | None = Field(description="Action name; null only for a record written before its first run.")
    offset: int = Field(description="Days after the enrollment's anchor day.")
    scheduledFor: str | None = Field(description="Fire time, an ISO 8601 instant in UTC.")
    status: HookStatus = Field(
        description="FAILED: the last delivery failed and a retry may still run it. CANCELLED: by DELETE."
    )
    fulfilledAt: str | None = None
    cancelledAt: str | None = None
    lastError: str | None = Field(default=None, description="Error name of the last failed delivery.")


class ContractHooksResponse(BaseModel):
    """The hooks of one contract, ordered by offset, and whether the contract was cancelled."""

    contractId: str
    cancelled: bool
    cancelledAt: str | None = None
    hooks: list[Hook]


class CancellationResponse(ContractHooksResponse):
    """Result of a cancellation: what this request cancelled, and every hook's status afterwards."""

    cancelledNow: int = Field(description="Hooks this request cancelled; 0 when repeated.")
    cancelledHooks: list[str]
    statusCounts: dict[str, int] = Field(description="Number of hooks per status after the cancellation.")


class NotFoundResponse(BaseModel):
    """Error for a contract id with no hook, audit record or request."""

    error: str
    contractId: str
    correlationId: CorrelationId


class GatewayErrorResponse(BaseModel):
    """Error that API Gateway returns itself, when the function did not run or did not respond."""

    message: str = Field(description="API Gateway's message, such as Missing Authentication Token.")


def _drop_field_titles(schema: Any) -> None:
    """Remove the titles pydantic derives from field names (such as "Contractid"), which repeat the names."""
    if isinstance(schema, dict):
        for field_schema in schema.get("properties", {}).values():
            field_schema.pop("title", None)
        for value in schema.values():
            _drop_field_titles(value)
    elif isinstance(schema, list):
        for item in schema:
            _drop_field_titles(item)


def _ref(section: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


class Components:
    """The components of the document under construction: schemas, responses, headers."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}
        self.responses: dict[str, Any] = {}
        self.headers: dict[str, Any] = {}

    def add_schema(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        """Register ``schema`` under ``name`` and return a reference to it.

        Raises ValueError when another schema already has the name, so two models with one name
        cannot overwrite each other.
        """
        if self.schemas.get(name, schema) != schema:
            raise ValueError(f"two different schemas are named {name!r}, so rename one of the models")
        self.schemas[name] = schema
        return _ref("schemas", name)

    def model(self, model: type[BaseModel]) -> dict[str, str]:
        """Register the JSON schema of ``model`` and of the models it uses, and return a reference to it."""
        schema = model.model_json_schema(ref_template=SCHEMA_REF)
        _drop_field_titles(schema)
        for name, definition in schema.pop("$defs", {}).items():
            self.add_schema(name, definition)
        return self.add_schema(model.__name__, schema)

    def add_response(self, name: str, response: dict[str, Any]) -> dict[str, str]:
        """Register a reusable Response Object and return a reference to it."""
        self.responses[name] = response
        return _ref("responses", name)


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _correlation_headers(**extra: dict[str, str]) -> dict[str, Any]:
    return {CORRELATION_HEADER: _ref("headers", CORRELATION_HEADER), **extra}


def _add_headers(components: Components) -> None:
    components.headers[CORRELATION_HEADER] = {
        "description": (
            "Correlation id of this request: `corr-` followed by the API Gateway request id. The API"
            " function sets it on every response it returns. Responses that API Gateway generates"
            " itself (403, 429, and a 502 or 504 when the function fails or does not answer) do not"
            " carry it."
        ),
        "schema": {"type": "string", "pattern": "^corr-"},
    }
    components.headers[RETRY_AFTER_HEADER] = {
        "description": "Seconds to wait before retrying, sent when reason is IN_PROGRESS.",
        "schema": {"type": "integer", "minimum": 0},
    }
    components.headers[REPLAY_HEADER] = {
        "description": "`true` when this is the stored response of an earlier, identical request.",
        "schema": {"type": "string", "enum": ["true"]},
    }


def _add_shared_responses(components: Components) -> None:
    """Register the error responses that every operation of the API can return."""
    error = components.model(ErrorResponse)
    gateway_error = components.model(GatewayErrorResponse)
    components.add_response(
        "InvalidRequest",
        {
            "description": (
                "The body is not valid JSON (including duplicate keys), or the request has invalid"
                " fields: invalidFields lists one entry per invalid field. Nothing was written."
            ),
            "headers": _correlation_headers(),
            "content": _json_content(components.model(InvalidRequestResponse)),
        },
    )

    components.add_response(
        "Forbidden",
        {
            "description": (
                "API Gateway rejected the SigV4 signature, or the caller may not invoke this method"
                " (execute-api:Invoke). The function did not run."
            ),
            "content": _json_content(gateway_error),
        },
    )

    components.add_response(
        "Conflict",
        {
            "description": (
                "The contract, or another contract of the same account, is locked by a request that is"
                " still running (reason IN_PROGRESS, with Retry-After), or its id already finished with a"
                " different request body (reason DIFFERENT_REQUEST), or it was cancelled (reason"
                " CANCELLED). Nothing was written."
            ),
            "headers": _correlation_headers(**{RETRY_AFTER_HEADER: _ref("headers", RETRY_AFTER_HEADER)}),
            "content": _json_content(components.model(ConflictResponse)),
        },
    )

    components.add_response(
        "PayloadTooLarge",
        {
            "description": (
                f"The body is larger than {api_handler.MAX_BODY_BYTES} bytes of UTF-8, or the parsed"
                f" contract is larger than {api_handler.MAX_EXECUTION_INPUT_BYTES} bytes once"
                " serialized for the workflow. Nothing was written."
            ),
            "headers": _correlation_headers(),
            "content": _json_content(error),
        },
    )

    components.add_response(
        "UnsupportedMediaType",
        {
            "description": "The Content-Type header is missing or is not application/json. Nothing was written.",
            "headers": _correlation_headers(),
            "content": _json_content(error),
        },
    )

    components.add_response(
        "TooManyRequests",
        {
            "description": "API Gateway throttled the request (stage rate limit). The function did not run.",
            "content": _json_content(gateway_error),
        },
    )

    components.add_response(
        "EnrollmentFailed",
        {
            "description": (
                "The enrollment failed. When the workflow reached its failure path, the body has"
                " status FAILED and a reason: completed steps were undone, the failure was audited"
                " and an alert was raised. When the workflow execution itself failed, the body has"
                " only error and correlationId."
            ),
            "headers": _correlation_headers(),
            "content": _json_content({"anyOf": [components.model(EnrollmentFailedResponse), error]}),
        },
    )

    components.add_response(
        "RulesEngineUnavailable",
        {
            "description": (
                "The rules engine could not decide eligibility (reason RULES_ENGINE_UNAVAILABLE)."
                " Nothing was enrolled, so the same request can be retried later. API Gateway answers"
                " 502 with a message body and no X-Correlation-Id when the function itself fails."
            ),
            "headers": _correlation_headers(),
            "content": _json_content({"anyOf": [components.model(RulesEngineUnavailableResponse), gateway_error]}),
        },
    )

    components.add_response(
        "TimedOut",
        {
            "description": (
                f"The workflow did not finish in time (the function waits {api_handler.SYNC_READ_TIMEOUT_SECONDS}"
                " s). Quote the correlation id before you retry. API Gateway answers 504 with a message"
                " body and no X-Correlation-Id when the function does not answer within 29 s."
            ),
            "headers": _correlation_headers(),
            "content": _json_content({"anyOf": [error, gateway_error]}),
        },
    )


def _error_responses() -> dict[str, Any]:
    """Return the references to the shared error responses, by status code."""
    return {
        "400": _ref("responses", "InvalidRequest"),
        "403": _ref("responses", "Forbidden"),
        "409": _ref("responses", "Conflict"),
        "413": _ref("responses", "PayloadTooLarge"),
        "415": _ref("responses", "UnsupportedMediaType"),
        "429": _ref("responses", "TooManyRequests"),
        "500": _ref("responses", "EnrollmentFailed"),
        "502": _ref("responses", "RulesEngineUnavailable"),
        "504": _ref("responses", "TimedOut"),
    }


def _limits_description() -> str:
    """Describe the request limits in Markdown, read from the constants that enforce them."""
    actions = ", ".join(f"`{name}`" for name in sorted(REGISTRY))
    return "\n".join(
        [
            "Limits (each violation is listed in a 400 response, one entry per invalid field):",
            "",
            f"- Body: at most {api_handler.MAX_BODY_BYTES} bytes of UTF-8 (413 above), one JSON object,"
            " no duplicate keys.",
            f"- contractId, accountId: 1 to {models.MAX_IDENTIFIER_LENGTH} characters of letters, digits,"
            " '.', '_' or '-', starting with a letter or digit.",
            f"- actions (or `List`): 1 to {models.MAX_ACTIONS} actions. Action names: {actions}.",
            f'- offset: a JSON integer from 0 to {models.MAX_OFFSET_DAYS} days (1.0, true and "1" are rejected).',
            f"- balance, monthlyPayment: decimal strings or JSON numbers, never negative, at most"
            f" {models.MONEY_MAX_DIGITS} digits with {models.MONEY_DECIMAL_PLACES} after the point.",
            f"- currency: one of the {len(ISO_4217_CODES)} active ISO 4217 codes.",
            f"- termMonths: a JSON integer from 1 to {models.MAX_TERM_MONTHS}.",
            "- firstPaymentDate: a calendar date as YYYY-MM-DD.",
            f"- contractInfo: product, channel and initiatedBy up to {models.MAX_CONTRACT_INFO_TEXT_LENGTH}"
            f" characters, and up to {models.MAX_CONTRACT_INFO_EXTRA_KEYS} extra keys of at most"
            f" {models.MAX_CONTRACT_INFO_KEY_LENGTH} characters whose values are strings of at most"
            f" {models.MAX_CONTRACT_INFO_VALUE_LENGTH} characters, numbers, booleans or null.",
        ]
    )


def _request_examples() -> dict[str, Any]:
    examples: dict[str, Any] = {}
    for name, file_name, summary in REQUEST_EXAMPLES:
        examples[name] = {"summary": summary, "value": json.loads((EXAMPLES_DIR / file_name).read_text())}
    return examples


def _upstream_list_schema(contract_schema: dict[str, Any]) -> dict[str, Any]:
    """Return the ContractRequest schema with the action list under `List`, as the upstream draft sends it."""
    schema = copy.deepcopy(contract_schema)
    schema["title"] = "ContractRequestWithList"
    schema["description"] = (
        "The upstream draft's shape of ContractRequest: the same fields, with the action list under"
        " `List` instead of `actions`. Sending both keys is rejected."
    )
    properties: dict[str, Any] = {}
    for name, value in schema["properties"].items():
        if name == "actions":
            properties["List"] = {**value, "description": "The action list, under the upstream draft's key."}
        else:
            properties[name] = value
    schema["properties"] = properties
    schema["required"] = ["List" if name == "actions" else name for name in schema["required"]]
    return schema


def _submit_contract(components: Components) -> dict[str, Any]:
    """Return the Operation Object of POST /contracts."""
    contract = components.model(ContractRequest)
    upstream = components.add_schema(
        "ContractRequestWithList", _upstream_list_schema(components.schemas["ContractRequest"])
    )
    enrolled = components.model(EnrolledResponse)
    not_eligible = components.model(NotEligibleResponse)
    return {
        "operationId": "submitContract",
        "tags": ["contracts"],
        "summary": "Enroll one contract offer",
        "description": "\n".join(
            [
                "Validates one contract offer and runs the immediate workflow synchronously: eligibility,"
                " customer profile, payments, enrollment event and audit. A request with any invalid"
                " field gets a 400 listing every one and writes nothing. Only one request per contract"
                " runs at a time, and an identical request for a finished contract gets the stored"
                " answer without a second enrollment.",
                "",
                _limits_description(),
            ]
        ),
        "parameters": [
            {
                "name": api_handler.FAULT_HEADER,
                "in": "header",
                "required": False,
                "description": (
                    "Local environment only: the workflow step that must fail, to exercise the failure"
                    " path. Rejected with 400 where fault injection is disabled, which it always is"
                    " outside the local environment."
                ),
                "schema": {"type": "string", "enum": list(STEPS)},
            }
        ],
        "requestBody": {
            "required": True,
            "description": (
                "One contract. Send the action list under `actions`, or under the upstream draft's `List`"
                " key (ContractRequestWithList), but not both."
            ),
            "content": {
                "application/json": {
                    "schema": {"oneOf": [contract, upstream]},
                    "examples": _request_examples(),
                }
            },
        },
        "responses": {
            "200": {
                "description": (
                    "The workflow decided: status ENROLLED or NOT_ELIGIBLE (with reasons). A replay of a"
                    " finished request returns the stored response body unchanged, including the"
                    f" correlationId of the original request, with {REPLAY_HEADER}: true."
                ),
                "headers": _correlation_headers(**{REPLAY_HEADER: _ref("headers", REPLAY_HEADER)}),
                "content": _json_content(
                    {
                        "oneOf": [enrolled, not_eligible],
                        "discriminator": {
                            "propertyName": "status",
                            "mapping": {"ENROLLED": enrolled["$ref"], "NOT_ELIGIBLE": not_eligible["$ref"]},
                        },
                    }
                ),
            },
            **_error_responses(),
        },
    }


def _contract_id_parameter() -> dict[str, Any]:
    return {
        "name": "contractId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": models.IDENTIFIER_PATTERN},
    }


def _hook_errors(components: Components) -> dict[str, Any]:
    not_found = components.model(NotFoundResponse)
    return {
        "400": {
            "description": "The contract id in the path is invalid.",
            "headers": _correlation_headers(),
            "content": _json_content(components.model(ErrorResponse)),
        },
        "403": _ref("responses", "Forbidden"),
        "404": {
            "description": "No hook and no audit record exist for this contract id.",
            "headers": _correlation_headers(),
            "content": _json_content(not_found),
        },
        "429": _ref("responses", "TooManyRequests"),
    }


def _list_hooks(components: Components) -> dict[str, Any]:
    """Return the Operation Object of GET /contracts/{contractId}/hooks."""
    return {
        "operationId": "listContractHooks",
        "tags": ["hooks"],
        "summary": "List the hooks of a contract",
        "description": "Each action of the contract with its offset, fire time and status.",
        "parameters": [_contract_id_parameter()],
        "responses": {
            "200": {
                "description": "The contract's hooks.",
                "headers": _correlation_headers(),
                "content": _json_content(components.model(ContractHooksResponse)),
            },
            **_hook_errors(components),
        },
    }


def _cancel_contract(components: Components) -> dict[str, Any]:
    """Return the Operation Object of DELETE /contracts/{contractId}."""
    return {
        "operationId": "cancelContract",
        "tags": ["hooks"],
        "summary": "Cancel a contract's pending hooks",
        "description": (
            "Deletes the schedules of the contract's PENDING hooks and marks them CANCELLED; fulfilled"
            " and failed hooks stay as they are. One audit record lists the cancelled hooks. Repeating"
            " the request returns 200 and cancels nothing more. The enrollment itself (profile, payment"
            " plan, fulfilled actions) is not undone."
        ),
        "parameters": [_contract_id_parameter()],
        "responses": {
            "200": {
                "description": "The contract is cancelled.",
                "headers": _correlation_headers(),
                "content": _json_content(components.model(CancellationResponse)),
            },
            **_hook_errors(components),
        },
    }


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One operation of the API: its path, its HTTP method and the function that describes it."""

    path: str
    method: str
    build: Callable[[Components], dict[str, Any]]


OPERATIONS = (
    Operation(path="/contracts", method="post", build=_submit_contract),
    Operation(path="/contracts/{contractId}/hooks", method="get", build=_list_hooks),
    Operation(path="/contracts/{contractId}", method="delete", build=_cancel_contract),
)


def build_document() -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of the API from the models and the limit constants."""
    components = Components()
    _add_headers(components)
    _add_shared_responses(components)
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = operation.build(components)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Contract offer enrollment API",
            "version": API_VERSION,
            "description": (
                "Enrolls contract offers for the collections team. Generated from the request models by"
                " `python -m enrollctl.openapi`, so do not edit it by hand."
            ),
        },
        "servers": [
            {
                "url": STAGE_PATH,
                "description": "The v1 stage, relative to the host of the API's invoke URL.",
            }
        ],
        "security": [{SECURITY_SCHEME: []}],
        "tags": [
            {"name": "contracts", "description": "Contract offers and their enrollment."},
            {"name": "hooks", "description": "The actions of an enrolled contract, and its cancellation."},
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "description": (
                        "IAM authorization: sign every request with AWS Signature Version 4 (service"
                        " execute-api), using credentials allowed to call execute-api:Invoke on this API."
                    ),
                    "x-amazon-apigateway-authtype": "awsSigv4",
                }
            },
            "headers": components.headers,
            "responses": components.responses,
            "schemas": components.schemas,
        },
    }


def render_document() -> str:
    """Return the document as written to docs/openapi.json: JSON with 2-space indent and a final newline."""
    return json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n"


def write_document(path: Path = OPENAPI_PATH) -> Path:
    """Write the document to ``path`` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_document())
    return path


def main() -> int:
    """Rewrite docs/openapi.json from the models."""
    path = write_document()
    print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
