"""Rules engine clients for the Check Eligibility step, behind one interface.

``LocalRulesEngine`` evaluates a declarative ruleset in process. ``HttpRulesEngine`` sends the
contract to a remote rules engine over HTTP, with bounded retries. Both return an ``eligibility.ruleset.Decision``.
"""

import json
import math
import random
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException, HTTPResponse
from typing import Annotated, Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import ErrorDetails

from common.errors import (
    ConfigurationError,
    RulesEngineError,
    RulesEngineInvalidResponseError,
    RulesEngineRejectedError,
    RulesEngineUnavailableError,
)
from common.observability import logger
from common.outbound_url import is_allowed_outbound_url, no_redirect_opener
from common.strict_json import reject_duplicate_keys
from eligibility.ruleset import Decision, evaluate

DEFAULT_TIMEOUT_SECONDS = 2.0
DEFAULT_MAX_ATTEMPTS = 3
MAX_ATTEMPTS_LIMIT = 5
DEFAULT_BACKOFF_BASE_SECONDS = 0.2
DEFAULT_BACKOFF_CAP_SECONDS = 2.0
# Upper bound of attempts x timeout + every backoff delay. The immediate workflow has 25 s in all,
# and the steps after Check Eligibility need the rest.
MAX_TOTAL_SECONDS = 15.0
MAX_RESPONSE_BYTES = 64 * 1024
# Printable ASCII only, so that a correlation id can never add or end a header line.
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,256}")


class RulesEngine(Protocol):
    """A rules engine that decides whether one contract may be enrolled."""

    def decide(self, contract: dict[str, Any], correlation_id: str | None) -> Decision:
        """Return the eligibility decision for ``contract``, or raise RulesEngineError when there is none."""
        ...


class LocalRulesEngine:
    """The declarative ruleset evaluated in process, the stand-in for the remote rules engine."""

    def __init__(self, ruleset: dict[str, Any]) -> None:
        self._ruleset = ruleset

    def decide(self, contract: dict[str, Any], correlation_id: str | None) -> Decision:
        """Evaluate every rule of the ruleset against ``contract``. The correlation id is not used."""
        return evaluate(self._ruleset, contract)


@dataclass(frozen=True, kw_only=True)
class HttpRulesEngineSettings:
    """Endpoint, timeout and retry policy of the HTTP rules engine, validated on creation.

    The handler reads ``url``, ``timeout_seconds`` and ``max_attempts`` from RULES_ENGINE_URL,
    RULES_ENGINE_TIMEOUT_SECONDS and RULES_ENGINE_MAX_ATTEMPTS, so the errors name those variables.
    ``timeout_seconds`` applies to each attempt, in seconds.
    """

    url: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_base_seconds: float = DEFAULT_BACKOFF_BASE_SECONDS
    backoff_cap_seconds: float = DEFAULT_BACKOFF_CAP_SECONDS

    def __post_init__(self) -> None:
        if not is_allowed_outbound_url(self.url):
            raise ConfigurationError(_url_rejection_message(self.url))
        if not (math.isfinite(self.timeout_seconds) and self.timeout_seconds > 0):
            raise ConfigurationError(
                f"RULES_ENGINE_TIMEOUT_SECONDS must be a number of seconds greater than 0, got {self.timeout_seconds}"
            )
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            raise ConfigurationError(
                f"RULES_ENGINE_MAX_ATTEMPTS must be an integer from 1 to {MAX_ATTEMPTS_LIMIT}, got {self.max_attempts}"
            )
        if not (0 < self.backoff_base_seconds <= self.backoff_cap_seconds and math.isfinite(self.backoff_cap_seconds)):
            raise ConfigurationError(
                "invalid rules engine backoff: it needs 0 < base <= cap, got "
                f"base {self.backoff_base_seconds} s and cap {self.backoff_cap_seconds} s"
            )
        if self.worst_case_seconds() > MAX_TOTAL_SECONDS:
            raise ConfigurationError(
                f"rules engine calls could take {self.worst_case_seconds():.1f} s "
                f"({self.max_attempts} attempts of {self.timeout_seconds} s plus backoff), "
                f"more than the {MAX_TOTAL_SECONDS} s allowed. "
                "Lower RULES_ENGINE_TIMEOUT_SECONDS or RULES_ENGINE_MAX_ATTEMPTS."
            )

    def backoff_ceiling(self, retry: int) -> float:
        """Return the maximum delay in seconds before retry number ``retry`` (1 for the first retry)."""
        return min(self.backoff_cap_seconds, self.backoff_base_seconds * 2.0 ** (retry - 1))

    def worst_case_seconds(self) -> float:
        """Return attempts x timeout plus the maximum of every backoff delay, in seconds.

        NOTE: urllib applies the timeout to each blocking socket operation, not to a whole attempt,
        and the client stops reading a body once the attempt's timeout has passed. Name resolution,
        a host name with several addresses, or a server that sends its headers slowly can still make
        one attempt last longer, so the function's own timeout is the final bound.
        """
        backoff = sum(self.backoff_ceiling(retry) for retry in range(1, self.max_attempts))
        return self.max_attempts * self.timeout_seconds + backoff


def _url_rejection_message(url: str) -> str:
    # Only the scheme and host are shown, because a URL may carry credentials.
    parsed = urllib.parse.urlsplit(url)
    return (
        "RULES_ENGINE_URL must be an https URL, or an http URL on 127.0.0.1 for a local server. "
        f"Got scheme {parsed.scheme!r} and host {parsed.hostname!r}."
    )


# The decision travels in the workflow's state, its response and the audit record, so each part
# is bounded: Step Functions fails an execution whose state passes 256 KiB, beyond any Catch.
MAX_REASONS = 20
MAX_REASON_LENGTH = 200
MAX_RULESET_VERSION_LENGTH = 64
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON_LENGTH)]
RulesetVersion = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_RULESET_VERSION_LENGTH, pattern=PRINTABLE),
]


class _DecisionResponse(BaseModel):
    """The response body of the rules engine, checked with strict types (``"true"`` is not a boolean)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    eligible: bool
    reasons: list[Reason] | None = Field(default=None, max_length=MAX_REASONS)
    failed_rules: list[Reason] = Field(default_factory=list, alias="failedRules", max_length=MAX_REASONS)
    ruleset_version: RulesetVersion = Field(alias="rulesetVersion")

    @model_validator(mode="after")
    def _require_reasons_when_not_eligible(self) -> Self:
        if not self.eligible and not self.reasons:
            raise ValueError("reasons must list at least one reason when eligible is false")
        return self


class _RetryableFailure(Exception):
    """An attempt that timed out, failed to connect or got a 5xx or 429, so the next attempt may succeed."""

    def __init__(self, outcome: str, detail: str, *, status: int | None = None) -> None:
        self.outcome = outcome
        self.detail = detail
        self.status = status
        super().__init__(detail)


class HttpRulesEngine:
    """A remote rules engine called with an HTTP POST, with bounded retries.

    The request body is ``{"contract": <contract>, "correlationId": <id or null>}`` with
    ``Content-Type: application/json``, plus an ``X-Correlation-Id`` header when the id is known.
    The engine must respond with HTTP 200 and a JSON object:

    - ``eligible``: a JSON boolean. A string, a number, null or a missing field is invalid.
    - ``rulesetVersion``: a non-blank string of printable characters, at most 64 of them.
    - ``reasons``: a list of at most 20 non-blank strings of at most 200 characters. It may be
      absent when ``eligible`` is true, and it then means no reasons. When ``eligible`` is false
      it must contain at least one reason.
    - ``failedRules``: an optional list of at most 20 non-blank rule ids, empty when absent.

    Other fields are ignored, so the engine can add fields without breaking this client.

    An attempt is retried after a timeout, a connection error (including a connection closed
    before the response was complete), an HTTP 5xx, or an HTTP 429 (Too Many Requests). Each retry
    waits a random delay between 0 and ``min(cap, base * 2 ** (retry - 1))`` seconds ("full
    jitter"). Nothing else is retried: a 3xx or other 4xx raises RulesEngineRejectedError, and a
    body that is not a valid decision raises RulesEngineInvalidResponseError. Once every attempt has
    failed, RulesEngineUnavailableError is raised. Error messages and logs carry status codes,
    field names and attempt numbers, never the contract or the response body.
    """

    def __init__(
        self,
        settings: HttpRulesEngineSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        """Create a client. ``sleep`` waits between attempts, and ``random_fraction`` returns a float in [0, 1)."""
        self._settings = settings
        self._sleep = sleep
        self._random_fraction = random_fraction
        self._opener = no_redirect_opener()

    def decide(self, contract: dict[str, Any], correlation_id: str | None) -> Decision:
        """POST the contract to the rules engine and return its validated decision, retrying transient failures."""
        body = _request_body(contract, correlation_id)
        headers = _request_headers(correlation_id)
        last_failure: _RetryableFailure | None = None

        for attempt in range(1, self._settings.max_attempts + 1):
            started = time.monotonic()
            try:
                decision = self._send_once(body, headers)
            except _RetryableFailure as failure:
                last_failure = failure
                self._log_failed_attempt(attempt, started, failure)
                if attempt < self._settings.max_attempts:
                    self._sleep(self._backoff_delay(attempt))
                continue
            except RulesEngineError as error:
                status = getattr(error, "status", None)
                logger.error(
                    "rules_engine_attempt_failed",
                    attempt=attempt,
                    max_attempts=self._settings.max_attempts,
                    outcome=type(error).__name__,
                    status=status,
                    elapsed_ms=_elapsed_ms(started),
                    error=str(error),
                    will_retry=False,
                )
                raise
            logger.info(
                "rules_engine_attempt_succeeded",
                attempt=attempt,
                max_attempts=self._settings.max_attempts,
                elapsed_ms=_elapsed_ms(started),
            )
            return decision

        assert last_failure is not None  # the loop runs at least once and only continues after a failure
        raise RulesEngineUnavailableError(
            f"rules engine unavailable after {_count_attempts(self._settings.max_attempts)}. "
            f"The last attempt failed with {last_failure.detail}.",
            attempts=self._settings.max_attempts,
            status=last_failure.status,
        )

    def _backoff_delay(self, retry: int) -> float:
        return self._settings.backoff_ceiling(retry) * self._random_fraction()

    def _log_failed_attempt(self, attempt: int, started: float, failure: _RetryableFailure) -> None:
        will_retry = attempt < self._settings.max_attempts
        logger.warning(
            "rules_engine_attempt_failed",
            attempt=attempt,
            max_attempts=self._settings.max_attempts,
            outcome=failure.outcome,
            status=failure.status,
            elapsed_ms=_elapsed_ms(started),
            error=failure.detail,
            will_retry=will_retry,
        )

    def _send_once(self, body: bytes, headers: dict[str, str]) -> Decision:
        """Send one request and return the decision. Raise _RetryableFailure when a retry may succeed."""
        request = urllib.request.Request(  # noqa: S310 - the settings accept only https, or http on 127.0.0.1
            self._settings.url, data=body, headers=headers, method="POST"
        )
        deadline = time.monotonic() + self._settings.timeout_seconds
        try:
            with self._opener.open(request, timeout=self._settings.timeout_seconds) as response:
                status = response.status
                raw = _read_body(response, deadline)
        except urllib.error.HTTPError as error:
            error.close()
            raise _status_error(error.code) from None
        except urllib.error.URLError as error:
            raise _transport_error(error.reason) from None
        except (OSError, HTTPException) as error:
            raise _transport_error(error) from None

        if status != 200:
            raise RulesEngineInvalidResponseError(f"rules engine responded with HTTP {status}, expected 200")
        return _parse_response(raw)


def _request_body(contract: dict[str, Any], correlation_id: str | None) -> bytes:
    try:
        text = json.dumps({"contract": contract, "correlationId": correlation_id}, allow_nan=False)
    except (TypeError, ValueError) as error:
        # The message names only the offending type, never a contract value.
        raise RulesEngineError(f"the contract cannot be sent as JSON: {type(error).__name__}") from None
    return text.encode()


def _request_headers(correlation_id: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if correlation_id is None:
        return headers
    if _HEADER_VALUE.fullmatch(correlation_id):
        headers["X-Correlation-Id"] = correlation_id
    else:
        logger.warning(
            "rules_engine_correlation_header_skipped",
            reason="the correlation id is not 1 to 256 printable ASCII characters; the body still carries it",
        )
    return headers


def _read_body(response: HTTPResponse, deadline: float) -> bytes:
    """Read at most MAX_RESPONSE_BYTES, one socket read at a time, until the end of the body or the deadline."""
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise RulesEngineInvalidResponseError(
            f"rules engine response body of {declared} bytes is larger than the {MAX_RESPONSE_BYTES} byte limit"
        )

    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(MAX_RESPONSE_BYTES + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise RulesEngineInvalidResponseError(
                f"rules engine response body is larger than the {MAX_RESPONSE_BYTES} byte limit"
            )
        if time.monotonic() > deadline:
            raise TimeoutError("the response body did not arrive within the timeout")
    return b"".join(chunks)


def _status_error(status: int) -> Exception:
    if status >= 500 or status == 429:
        return _RetryableFailure("http_error", f"HTTP {status}", status=status)
    if 300 <= status < 400:
        return RulesEngineRejectedError(
            f"rules engine responded with HTTP {status}, a redirect, which this client does not follow. "
            "Set RULES_ENGINE_URL to the final URL.",
            status=status,
        )
    return RulesEngineRejectedError(f"rules engine rejected the request with HTTP {status}", status=status)


def _transport_error(reason: object) -> Exception:
    if isinstance(reason, TimeoutError):
        return _RetryableFailure("timeout", "a timeout")
    if isinstance(reason, ssl.SSLCertVerificationError):
        # A certificate that fails verification now will fail on every retry too.
        return RulesEngineError(f"rules engine TLS certificate verification failed: {reason.verify_message}")
    return _RetryableFailure("connection_error", f"a connection error ({type(reason).__name__}: {reason})")


def _parse_response(raw: bytes) -> Decision:
    try:
        document = json.loads(raw, object_pairs_hook=reject_duplicate_keys)
    except (ValueError, RecursionError) as error:
        raise RulesEngineInvalidResponseError(
            f"rules engine response body is not valid JSON ({type(error).__name__})"
        ) from None
    if not isinstance(document, dict):
        raise RulesEngineInvalidResponseError(
            f"rules engine response body is a JSON {type(document).__name__}, expected an object"
        )

    try:
        response = _DecisionResponse.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(_describe_problem(problem) for problem in error.errors(include_input=False))
        raise RulesEngineInvalidResponseError(f"rules engine response is invalid: {problems}") from None

    return Decision(
        eligible=response.eligible,
        reasons=list(response.reasons or []),
        failed_rules=list(response.failed_rules),
        ruleset_version=response.ruleset_version,
    )


def _describe_problem(problem: ErrorDetails) -> str:
    location = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{location}: {problem['msg']}"


def _count_attempts(attempts: int) -> str:
    return "1 attempt" if attempts == 1 else f"{attempts} attempts"


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
