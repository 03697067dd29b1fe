"""Each function imports with only its own bundle, the dependency layer and boto3.

Locally the emulator runs functions with its own site-packages on ``sys.path``, so a dependency
missing from a bundle would not fail there. This test imports every handler in a clean
interpreter whose path contains nothing else.
"""

import subprocess
import sys
from pathlib import Path

import boto3
import botocore
import pytest

from cdk_constructs.bundling import LAMBDA_SRC, bundle_function, layer_dir

FUNCTIONS = sorted(path.parent.name for path in LAMBDA_SRC.glob("*/handler.py"))
# boto3 and what it needs, as the Lambda runtime provides them.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a folder that holds only boto3 and its dependencies, as links."""
    folder = tmp_path_factory.mktemp("lambda-runtime")
    site_packages = Path(boto3.__file__).parent.parent
    assert Path(botocore.__file__).parent.parent == site_packages
    for package in RUNTIME_PACKAGES:
        source = site_packages / package
        if not source.exists():
            source = site_packages / f"{package}.py"
        (folder / source.name).symlink_to(source)
    return folder


def test_every_function_found() -> None:
    assert "api" in FUNCTIONS
    assert "pagerduty_notifier" in FUNCTIONS
    assert "contract_hooks" in FUNCTIONS
    assert len(FUNCTIONS) == 11


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_imports_from_bundle(function: str, runtime_dir: Path) -> None:
    bundle = bundle_function(function)
    layer = layer_dir() / "python"
    path = [str(bundle), str(layer), str(runtime_dir)]
    code = (
        "import sys; sys.path[:0] = " + repr(path) + "\n"
        f"import {function}.handler as module\n"
        "assert callable(module.lambda_handler)\n"
    )

    # -I isolates from the environment and user site; -S skips site-packages entirely.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "bundle-test"},
    )

    assert result.returncode == 0, result.stderr
