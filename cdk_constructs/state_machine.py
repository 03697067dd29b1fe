"""A state machine whose definition is an ASL file under ``asl/``, inlined with substitutions."""

import json
import re
from pathlib import Path

from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from cdk_constructs import data_stores
from stacks.nag import TRACING_WILDCARD, acknowledge
from stacks.settings import EnvironmentSettings

ASL_DIR = Path(__file__).resolve().parent.parent / "asl"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


def load_definition(name: str) -> str:
    """Return ``asl/<name>.asl.json`` as compact JSON (it counts toward the template size limit)."""
    text = (ASL_DIR / f"{name}.asl.json").read_text()
    return json.dumps(json.loads(text), separators=(",", ":"))


def placeholders(definition: str) -> set[str]:
    """Return the ``${Name}`` substitution placeholders used by a definition."""
    return set(_PLACEHOLDER.findall(definition))


class AslStateMachine(Construct):
    """A logged, traced state machine built from an ASL file.

    The definition is inlined (``DefinitionBody.from_string``) rather than uploaded as an S3
    asset, so template assertions can read it. Every placeholder must have a substitution.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        definition_name: str,
        substitutions: dict[str, str],
        state_machine_type: sfn.StateMachineType,
        settings: EnvironmentSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        definition = load_definition(definition_name)
        missing = placeholders(definition) - substitutions.keys()
        unused = substitutions.keys() - placeholders(definition)
        if missing or unused:
            raise ValueError(
                f"asl/{definition_name}.asl.json substitutions do not match: "
                f"missing {sorted(missing)}, unused {sorted(unused)}"
            )
        self.log_group = data_stores.log_group(self, "Logs", settings=settings)
        acknowledge(self, TRACING_WILDCARD)
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_string(definition),
            definition_substitutions=substitutions,
            state_machine_type=state_machine_type,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
