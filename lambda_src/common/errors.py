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


class InjectedFaultError(EnrollmentError):
    """Raised by the step that a local request named to fail, to exercise the failure path."""


class UnknownActionError(EnrollmentError):
    """Raised when an action name has no handler in the action registry."""


class ConfigurationError(EnrollmentError):
    """Raised when a required environment variable is missing or invalid."""
