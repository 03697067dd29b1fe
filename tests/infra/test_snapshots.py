"""Resource-count snapshots: a change in what each stack creates must be deliberate.

The snapshot contains the number of resources of each type and the names of the stack outputs
the local tooling reads, not the templates, so hashes and property order never break it.
Refresh the files after an intended change with ``UPDATE_SNAPSHOTS=1 pytest tests/infra``.
"""

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import STACK_NAMES

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
# Outputs that CDK adds itself (cross-stack exports, the REST API endpoint) end in an 8-digit hash.
GENERATED_OUTPUT = re.compile(r"[0-9A-F]{8}$")


def _summary(template: dict[str, Any]) -> dict[str, Any]:
    resource_types = Counter(resource["Type"] for resource in template["Resources"].values())
    outputs = [name for name in template.get("Outputs", {}) if not GENERATED_OUTPUT.search(name)]
    return {"resourceTypes": dict(sorted(resource_types.items())), "outputs": sorted(outputs)}


@pytest.mark.parametrize("stack_name", STACK_NAMES)
def test_stack_matches_snapshot(templates, stack_name):
    snapshot_file = SNAPSHOT_DIR / f"{stack_name}.json"
    summary = _summary(templates[stack_name])

    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT_DIR.mkdir(exist_ok=True)
        snapshot_file.write_text(json.dumps(summary, indent=2) + "\n")

    assert snapshot_file.is_file(), f"{snapshot_file} is missing; create it with UPDATE_SNAPSHOTS=1"
    expected = json.loads(snapshot_file.read_text())
    assert summary["resourceTypes"] == expected["resourceTypes"], "resource counts changed; see the module docstring"
    assert summary["outputs"] == expected["outputs"], "stack outputs changed; see the module docstring"
