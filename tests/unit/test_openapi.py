"""docs/openapi.json: in step with the models, a well-formed OpenAPI 3.1 document, valid samples.

The shape checks use only the standard library: OpenAPI version, references that resolve inside
the document, the responses every operation must document, headers, security and servers.
"""

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from api import handler as api_handler
from common import models
from common.models import parse_contract
from enrollctl.openapi import (
    CORRELATION_HEADER,
    EXAMPLES_DIR,
    GATEWAY_ONLY_STATUSES,
    OPENAPI_PATH,
    RETRY_AFTER_HEADER,
    SECURITY_SCHEME,
    build_document,
    render_document,
)

STALE_MESSAGE = "docs/openapi.json is out of date with the models: run `make openapi` and commit the result"
# Statuses each operation must document: submitting a contract can end in any of them, while the
# hook operations only read or cancel.
REQUIRED_STATUSES = {"POST /contracts": ("200", "400", "409", "413", "500", "502")}
HOOK_STATUSES = ("200", "400", "403", "404")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Every file in examples/ is a request the API accepts: the not-eligible one is refused by the
# ruleset, not by the intake, and the forced-failure one fails only with the fault header.
VALID_EXAMPLES = (
    "contract-forced-failure.json",
    "contract-not-eligible.json",
    "contract-offer.json",
    "contract-upstream-list.json",
)
INVALID_EXAMPLES: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    """Return the node a local JSON pointer such as #/components/schemas/Action names, or raise KeyError."""
    if not ref.startswith("#/"):
        raise KeyError(f"{ref} does not point inside the document")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, path_item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in path_item:
                yield f"{method.upper()} {path}", path_item[method]


def _responses(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, operation in _operations(document):
        for status, response_or_ref in operation["responses"].items():
            if "$ref" in response_or_ref:
                yield name, status, _resolve(document, response_or_ref["$ref"])
            else:
                yield name, status, response_or_ref


def test_committed_document_up_to_date(document):
    assert OPENAPI_PATH.exists(), STALE_MESSAGE
    committed = OPENAPI_PATH.read_text()

    assert json.loads(committed) == document, STALE_MESSAGE
    assert committed == render_document(), STALE_MESSAGE


def test_document_is_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["paths"]


def test_every_ref_resolves(document):
    dangling = []
    for ref in _refs(document):
        try:
            _resolve(document, ref)
        except (KeyError, TypeError):
            dangling.append(ref)

    assert dangling == []


def test_operations_document_required_statuses(document):
    missing = {
        name: [status for status in REQUIRED_STATUSES.get(name, HOOK_STATUSES) if status not in operation["responses"]]
        for name, operation in _operations(document)
    }

    assert {name: statuses for name, statuses in missing.items() if statuses} == {}


def test_operation_ids_unique(document):
    operation_ids = [operation["operationId"] for _, operation in _operations(document)]

    assert len(operation_ids) == len(set(operation_ids))


def test_every_response_has_description(document):
    undescribed = [(name, status) for name, status, response in _responses(document) if not response.get("description")]

    assert undescribed == []


def test_function_responses_document_correlation_header(document):
    without_header = [
        (name, status)
        for name, status, response in _responses(document)
        if status not in GATEWAY_ONLY_STATUSES and CORRELATION_HEADER not in response.get("headers", {})
    ]

    assert without_header == []


def test_conflict_documents_retry_after(document):
    conflicts = [response for _, status, response in _responses(document) if status == "409"]

    assert conflicts
    assert all(RETRY_AFTER_HEADER in response["headers"] for response in conflicts)


def test_every_response_is_json(document):
    not_json = [
        (name, status)
        for name, status, response in _responses(document)
        if "application/json" not in response["content"]
    ]

    assert not_json == []


def test_security_is_sigv4_everywhere(document):
    scheme = document["components"]["securitySchemes"][SECURITY_SCHEME]

    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert scheme["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert document["security"] == [{SECURITY_SCHEME: []}]
    assert [name for name, operation in _operations(document) if "security" in operation] == []


def test_servers_name_no_host(document):
    urls = [server["url"] for server in document["servers"]]

    assert urls
    assert [url for url in urls if "://" in url or url.startswith("//")] == []


def test_request_accepts_both_action_keys(document):
    schemas = document["components"]["schemas"]
    request_schema = document["paths"]["/contracts"]["post"]["requestBody"]["content"]["application/json"]["schema"]

    assert [option["$ref"] for option in request_schema["oneOf"]] == [
        "#/components/schemas/ContractRequest",
        "#/components/schemas/ContractRequestWithList",
    ]
    assert "actions" in schemas["ContractRequest"]["required"]
    assert "List" not in schemas["ContractRequest"]["properties"]
    assert "List" in schemas["ContractRequestWithList"]["required"]
    assert "actions" not in schemas["ContractRequestWithList"]["properties"]


def test_descriptions_follow_limit_constants(monkeypatch):
    monkeypatch.setattr(api_handler, "MAX_BODY_BYTES", 12345)
    monkeypatch.setattr(models, "MAX_ACTIONS", 77)

    description = build_document()["paths"]["/contracts"]["post"]["description"]

    assert "at most 12345 bytes" in description
    assert "1 to 77 actions" in description


def test_examples_all_classified():
    example_files = sorted(path.name for path in EXAMPLES_DIR.glob("*.json"))

    assert example_files == sorted(VALID_EXAMPLES + INVALID_EXAMPLES)


@pytest.mark.parametrize("file_name", VALID_EXAMPLES)
def test_valid_example_parses(file_name):
    payload = json.loads((EXAMPLES_DIR / file_name).read_text(), parse_float=Decimal)

    assert parse_contract(payload).contractId == payload["contractId"]


def test_document_examples_parse(document):
    examples = document["paths"]["/contracts"]["post"]["requestBody"]["content"]["application/json"]["examples"]

    assert examples
    for example in examples.values():
        parse_contract(json.loads(json.dumps(example["value"]), parse_float=Decimal))
