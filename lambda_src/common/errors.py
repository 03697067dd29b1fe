"""Domain errors raised by the workflow functions."""


class EnrollmentError(Exception):
    """Base class of every error the workflow raises on purpose."""


class InvalidContractError(EnrollmentError):
    """Raised when a contract request fails validation; carries one entry per invalid field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        fields = ", ".join(error["field"] for error in errors)
        super().__init__(f"invalid contract request: {fields}")


class RulesEngineError(EnrollmentError):
    """Raised when the rules engine cannot return a valid eligibility decision."""


class RulesEngineUnavailableError(RulesEngineError):
    """Raised when every allowed attempt to reach the rules engine timed out, failed to connect or got a 5xx or 429."""

    def __init__(self, message: str, *, attempts: int, status: int | None) -> None:
        self.attempts = attempts
        self.status = status
        super().__init__(message)


class RulesEngineRejectedError(RulesEngineError):
    """Raised when the rules engine responds with a 3xx, or a 4xx other than 429, which retrying cannot fix."""

    def __init__(self, message: str, *, status: int) -> None:
        self.status = status
        super().__init__(message)


class RulesEngineInvalidResponseError(RulesEngineError):
    """Raised when the rules engine responds with a body that is not a valid eligibility decision."""


class InjectedFaultError(EnrollmentError):
    """Raised by the step that a local request named to fail, to exercise the failure path."""


class UnknownActionError(EnrollmentError):
    """Raised when an action name has no handler in the action registry."""


class ConfigurationError(EnrollmentError):
    """Raised when a required environment variable is missing or invalid."""
