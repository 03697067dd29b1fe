"""load_settings: the cdk.json environments and every rejected value."""

import json
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from stacks.settings import LOCAL_ACCOUNT, SettingsError, load_settings

CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"


def _environments() -> dict[str, Any]:
    environments: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]["environments"]
    return environments


def _with(env_name: str, **changes: Any) -> dict[str, Any]:
    environments = _environments()
    environments[env_name].update(changes)
    return environments


def test_local_settings_load():
    settings = load_settings(_environments(), "local")

    assert settings.name == "local"
    assert settings.is_local is True
    assert settings.account == LOCAL_ACCOUNT
    assert settings.region == "us-east-1"
    assert settings.business_time_zone == "America/New_York"
    assert settings.hook_local_time == time(9, 0)
    assert settings.pagerduty_events_url.startswith("http://127.0.0.1:")
    assert settings.allow_fault_injection is True
    assert settings.retain_data is False


def test_prod_settings_load():
    settings = load_settings(_environments(), "prod")

    assert settings.is_local is False
    assert settings.allow_fault_injection is False
    assert settings.retain_data is True
    assert settings.pagerduty_events_url.startswith("https://")


def test_unknown_env_rejected():
    with pytest.raises(SettingsError, match=r"environment 'staging' is not defined in cdk.json; defined: local, prod"):
        load_settings(_environments(), "staging")


def test_fault_injection_outside_local_rejected():
    with pytest.raises(SettingsError, match=r"environments\.prod\.allowFaultInjection is only allowed"):
        load_settings(_with("prod", allowFaultInjection=True), "prod")


def test_fault_injection_defaults_off():
    environments = _environments()
    del environments["prod"]["allowFaultInjection"]

    assert load_settings(environments, "prod").allow_fault_injection is False


@pytest.mark.parametrize("zone", ["America/Nowhere", "EST5EDT/extra", "", "../etc/passwd"])
def test_bad_time_zone_rejected(zone):
    with pytest.raises(SettingsError, match=r"environments\.local\.businessTimeZone .* is not an IANA time zone"):
        load_settings(_with("local", businessTimeZone=zone), "local")


@pytest.mark.parametrize("value", ["9am", "25:00", "09:60", "", "nine"])
def test_bad_time_rejected(value):
    with pytest.raises(SettingsError, match=r"environments\.local\.hookLocalTime .* is not HH:MM"):
        load_settings(_with("local", hookLocalTime=value), "local")


@pytest.mark.parametrize("account", ["12345", "abcdefghijkl", "0000000000001", "", "00000000000 "])
def test_bad_account_rejected(account):
    with pytest.raises(SettingsError, match=r"environments\.local\.account must be 12 digits"):
        load_settings(_with("local", account=account), "local")


def test_local_needs_local_account():
    with pytest.raises(SettingsError, match=f"must use account {LOCAL_ACCOUNT}"):
        load_settings(_with("local", account="111111111111"), "local")


def test_prod_needs_https_pagerduty():
    with pytest.raises(SettingsError, match=r"environments\.prod\.pagerDutyEventsUrl must be an https URL"):
        load_settings(_with("prod", pagerDutyEventsUrl="http://events.pagerduty.com/v2/enqueue"), "prod")


@pytest.mark.parametrize("key", ["account", "region", "businessTimeZone", "hookLocalTime", "logRetentionDays"])
def test_missing_key_rejected(key):
    environments = _environments()
    del environments["local"][key]

    with pytest.raises(SettingsError, match=rf"environments\.local\.{key} is missing in cdk.json"):
        load_settings(environments, "local")


def test_rules_engine_defaults_to_bundled_ruleset():
    settings = load_settings(_environments(), "local")

    assert settings.rules_engine_url is None
    assert settings.rules_engine_timeout_seconds == 2.0
    assert settings.rules_engine_max_attempts == 3


def test_rules_engine_url_and_limits_read():
    environments = _with(
        "prod",
        rulesEngineUrl="https://rules.example.internal/v1",
        rulesEngineTimeoutSeconds=1.5,
        rulesEngineMaxAttempts=2,
    )

    settings = load_settings(environments, "prod")

    assert settings.rules_engine_url == "https://rules.example.internal/v1"
    assert settings.rules_engine_timeout_seconds == 1.5
    assert settings.rules_engine_max_attempts == 2


@pytest.mark.parametrize(
    ("env_name", "changes", "message"),
    [
        ("prod", {"rulesEngineUrl": "http://rules.example.internal/v1"}, r"rulesEngineUrl must be an https URL"),
        ("prod", {"rulesEngineUrl": "http://127.0.0.1:4580/v1"}, r"rulesEngineUrl must be an https URL"),
        ("local", {"rulesEngineUrl": "http://10.0.0.5/v1"}, r"or on the local environment http://127\.0\.0\.1"),
        ("local", {"rulesEngineTimeoutSeconds": 0}, r"rulesEngineTimeoutSeconds must be above 0 and at most 4"),
        ("local", {"rulesEngineTimeoutSeconds": 4.5}, r"rulesEngineTimeoutSeconds must be above 0"),
        ("local", {"rulesEngineTimeoutSeconds": "2"}, r"rulesEngineTimeoutSeconds must be above 0"),
        ("local", {"rulesEngineMaxAttempts": 0}, r"rulesEngineMaxAttempts must be an integer from 1 to 3"),
        ("local", {"rulesEngineMaxAttempts": 4}, r"rulesEngineMaxAttempts must be an integer"),
        ("local", {"rulesEngineMaxAttempts": True}, r"rulesEngineMaxAttempts must be an integer"),
    ],
    ids=[
        "prod-http",
        "prod-loopback",
        "local-remote-http",
        "zero-timeout",
        "long-timeout",
        "string-timeout",
        "zero-attempts",
        "many-attempts",
        "boolean-attempts",
    ],
)
def test_rules_engine_settings_rejected(env_name, changes, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(_with(env_name, **changes), env_name)


def test_rules_engine_override_only_local_loopback():
    settings = load_settings(_environments(), "local", rules_engine_url="http://127.0.0.1:4580/v1")
    assert settings.rules_engine_url == "http://127.0.0.1:4580/v1"

    with pytest.raises(SettingsError, match=r"rulesEngineUrl can only be overridden for the local environment"):
        load_settings(_environments(), "prod", rules_engine_url="http://127.0.0.1:4580/v1")
