"""Per-environment settings, read from the ``environments`` context in cdk.json.

Choose one with ``-c env=NAME`` (default ``local``). Every value is validated here so a bad
setting fails at synth with a message that names it.
"""

import re
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCAL_ACCOUNT = "000000000000"
# Bounds that keep the eligibility function's attempts inside its own timeout.
MAX_RULES_ENGINE_TIMEOUT = 4
MAX_RULES_ENGINE_ATTEMPTS = 3


class SettingsError(ValueError):
    """Raised when an environment's settings in cdk.json are missing or invalid."""


@dataclass(frozen=True, kw_only=True)
class EnvironmentSettings:
    """Everything that differs between the local emulator and a real AWS account."""

    name: str
    account: str
    region: str
    pagerduty_events_url: str
    business_time_zone: str
    hook_local_time: time
    log_retention_days: int
    retain_data: bool
    allow_fault_injection: bool
    # None: decide eligibility with the bundled declarative ruleset; else POST to this URL.
    rules_engine_url: str | None = None
    rules_engine_timeout_seconds: float = 2.0
    rules_engine_max_attempts: int = 3

    @property
    def is_local(self) -> bool:
        return self.name == "local"

    @property
    def hook_schedule_group_name(self) -> str:
        """Name of the Scheduler group that contains the hook schedules of this environment.

        It is derived from the settings, not read from the group resource, so a stack that only
        deletes schedules can scope its permission without a cross-stack reference.
        """
        return f"contract-hooks-{self.name}"


def _require(values: dict[str, Any], env_name: str, key: str) -> Any:
    if key not in values:
        raise SettingsError(f"environments.{env_name}.{key} is missing in cdk.json")
    return values[key]


def _boolean(value: Any, name: str) -> bool:
    # bool("false") is True, so only JSON booleans are accepted.
    if not isinstance(value, bool):
        raise SettingsError(f"{name} must be true or false, got {value!r}")
    return value


def _local_or_https(url: str, name: str, *, is_local: bool) -> None:
    if url.startswith("https://") or (is_local and url.startswith("http://127.0.0.1:")):
        return
    where = "an https URL, or on the local environment http://127.0.0.1" if is_local else "an https URL"
    raise SettingsError(f"{name} must be {where}, got {url!r}")


def _rules_engine(values: dict[str, Any], env_name: str, is_local: bool) -> dict[str, Any]:
    prefix = f"environments.{env_name}"
    url = values.get("rulesEngineUrl") or None
    if url is not None:
        _local_or_https(str(url), f"{prefix}.rulesEngineUrl", is_local=is_local)
    timeout = values.get("rulesEngineTimeoutSeconds", 2.0)
    attempts = values.get("rulesEngineMaxAttempts", 3)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_RULES_ENGINE_TIMEOUT:
        raise SettingsError(
            f"{prefix}.rulesEngineTimeoutSeconds must be above 0 and at most {MAX_RULES_ENGINE_TIMEOUT}"
        )
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= MAX_RULES_ENGINE_ATTEMPTS:
        raise SettingsError(f"{prefix}.rulesEngineMaxAttempts must be an integer from 1 to {MAX_RULES_ENGINE_ATTEMPTS}")
    return {
        "rules_engine_url": url,
        "rules_engine_timeout_seconds": float(timeout),
        "rules_engine_max_attempts": attempts,
    }


def load_settings(
    context: dict[str, Any],
    env_name: str,
    *,
    pagerduty_events_url: str | None = None,
    rules_engine_url: str | None = None,
) -> EnvironmentSettings:
    """Build and validate the settings of ``env_name`` from the cdk.json ``environments`` context.

    ``pagerduty_events_url`` and ``rules_engine_url`` override the configured URLs; only the
    local environment accepts an override, and only on 127.0.0.1, so the local tooling can point
    the functions at servers it starts itself.
    """
    if env_name not in context:
        known = ", ".join(sorted(context))
        raise SettingsError(f"environment {env_name!r} is not defined in cdk.json; defined: {known}")
    values = context[env_name]
    if rules_engine_url and not (env_name == "local" and rules_engine_url.startswith("http://127.0.0.1:")):
        raise SettingsError("rulesEngineUrl can only be overridden for the local environment, on http://127.0.0.1")
    account = str(_require(values, env_name, "account"))
    if not re.fullmatch(r"\d{12}", account):
        raise SettingsError(f"environments.{env_name}.account must be 12 digits, got {account!r}")

    zone = str(_require(values, env_name, "businessTimeZone"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"environments.{env_name}.businessTimeZone {zone!r} is not an IANA time zone") from None

    raw_time = str(_require(values, env_name, "hookLocalTime"))
    try:
        hook_time = time.fromisoformat(raw_time)
    except ValueError:
        raise SettingsError(f"environments.{env_name}.hookLocalTime {raw_time!r} is not HH:MM") from None

    settings = EnvironmentSettings(
        name=env_name,
        account=account,
        region=str(_require(values, env_name, "region")),
        pagerduty_events_url=pagerduty_events_url or str(_require(values, env_name, "pagerDutyEventsUrl")),
        business_time_zone=zone,
        hook_local_time=hook_time,
        log_retention_days=int(_require(values, env_name, "logRetentionDays")),
        retain_data=_boolean(_require(values, env_name, "retainData"), f"environments.{env_name}.retainData"),
        allow_fault_injection=_boolean(
            values.get("allowFaultInjection", False), f"environments.{env_name}.allowFaultInjection"
        ),
        **_rules_engine(
            {**values, **({"rulesEngineUrl": rules_engine_url} if rules_engine_url else {})},
            env_name,
            env_name == "local",
        ),
    )
    if settings.allow_fault_injection and not settings.is_local:
        raise SettingsError(f"environments.{env_name}.allowFaultInjection is only allowed in the local environment")
    if settings.is_local and settings.account != LOCAL_ACCOUNT:
        raise SettingsError(f"the local environment must use account {LOCAL_ACCOUNT}, got {settings.account}")
    if pagerduty_events_url and not (settings.is_local and pagerduty_events_url.startswith("http://127.0.0.1:")):
        raise SettingsError("pagerDutyEventsUrl can only be overridden for the local environment, on http://127.0.0.1")
    if not settings.is_local and not settings.pagerduty_events_url.startswith("https://"):
        raise SettingsError(f"environments.{env_name}.pagerDutyEventsUrl must be an https URL")
    return settings
