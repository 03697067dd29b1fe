"""Synthesize the local app once per test session and share its stacks and templates.

The synth runs the full CDK pipeline, including the built-in template validation and the
cdk-nag AwsSolutions validation plugin, into a temporary output folder. Nothing calls AWS:
every stack has an explicit account and region, so no context lookups happen.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Set before aws_cdk is imported, because importing it starts the jsii Node.js process.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import aws_cdk as cdk
from aws_cdk.assertions import Template

import app as cdk_app
from stacks.settings import EnvironmentSettings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_NAME = "local"
STACK_NAMES = (
    f"{cdk_app.STACK_PREFIX}-Alerting",
    f"{cdk_app.STACK_PREFIX}-ImmediateWorkflow",
    f"{cdk_app.STACK_PREFIX}-EventualActions",
)


def cdk_context() -> dict[str, Any]:
    """Return the ``context`` of cdk.json plus the environment choice, as ``cdk synth`` passes them."""
    context: dict[str, Any] = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    return {**context, "env": ENV_NAME}


def build(outdir: Path) -> tuple[cdk.App, list[cdk.Stack], EnvironmentSettings]:
    """Build the app of the local environment into ``outdir`` without synthesizing it."""
    context = cdk_context()
    settings = load_settings(context["environments"], ENV_NAME)
    app = cdk.App(context=context, outdir=str(outdir))
    stacks = cdk_app.build_app(app, settings)
    return app, stacks, settings


@dataclass(frozen=True)
class Synthesized:
    """One synthesized app: its stacks, their templates and the output folder."""

    app: cdk.App
    stacks: dict[str, cdk.Stack]
    settings: EnvironmentSettings
    outdir: Path
    # The exception app.synth() raised, kept so that one test reports it instead of every test.
    synth_error: Exception | None

    def template(self, stack_name: str) -> Template:
        return Template.from_stack(self.stacks[stack_name])

    def template_json(self, stack_name: str) -> dict[str, Any]:
        return dict(self.template(stack_name).to_json())

    def template_file(self, stack_name: str) -> Path:
        return self.outdir / f"{stack_name}.template.json"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stacks, settings = build(outdir)
    synth_error: Exception | None = None
    try:
        app.synth()
    except RuntimeError as exc:
        # cdk-nag findings and template validation errors arrive as a jsii RuntimeError.
        synth_error = exc
    return Synthesized(
        app=app,
        stacks={stack.stack_name: stack for stack in stacks},
        settings=settings,
        outdir=outdir,
        synth_error=synth_error,
    )


@pytest.fixture(scope="session")
def templates(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Return each stack's template as a dict, keyed by stack name."""
    return {name: synthesized.template_json(name) for name in synthesized.stacks}
