"""The local tooling's guard: only loopback endpoints, no inherited AWS settings or proxies."""

from pathlib import Path

import pytest

from enrollctl.local_env import LocalTarget, UnsafeTargetError, assert_local_endpoint, aws_environment


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566", "http://127.9.9.9:1", "http://[::1]:4566", "http://localhost:4566"]
)
def test_loopback_endpoint_accepted(url):
    assert_local_endpoint(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:4566",
        "http://169.254.169.254/",
        "https://sts.amazonaws.com",
        "http://127.0.0.1.example.invalid:4566",
        "http://localhost.example.invalid",
        "not a url",
    ],
)
def test_other_endpoint_rejected(url):
    with pytest.raises(UnsafeTargetError):
        assert_local_endpoint(url)


def test_environment_drops_caller_settings(monkeypatch, tmp_path: Path):
    for name, value in {
        "AWS_PROFILE": "production",
        "AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com",
        "AWS_SESSION_TOKEN": "token",
        "HTTPS_PROXY": "http://proxy.invalid:3128",
        "http_proxy": "http://proxy.invalid:3128",
        "CDK_DEFAULT_ACCOUNT": "123456789012",
    }.items():
        monkeypatch.setenv(name, value)
    target = LocalTarget(emulator_port=4566, pagerduty_port=4599, state_dir=tmp_path)

    env = aws_environment(target)

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_STS", "AWS_SESSION_TOKEN", "HTTPS_PROXY", "http_proxy"):
        assert name not in env
    assert "CDK_DEFAULT_ACCOUNT" not in env
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert env["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:4566"
    assert Path(env["AWS_CONFIG_FILE"]).read_text() == ""
    assert Path(env["AWS_SHARED_CREDENTIALS_FILE"]).read_text() == ""
    assert not list(tmp_path.iterdir())
    assert "127.0.0.1" in env["NO_PROXY"]
