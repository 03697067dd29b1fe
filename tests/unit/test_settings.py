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
