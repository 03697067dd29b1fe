"""cfn-lint on the synthesized templates: no errors (warnings are not checked).

cfn-lint runs offline from the schemas bundled with the installed version.
"""

import json
import subprocess
import sys
from pathlib import Path

from tests.infra.conftest import STACK_NAMES, Synthesized

CFN_LINT = Path(sys.executable).parent / "cfn-lint"
# W3005 (DependsOn already implied by a reference) fires on every CDK Lambda role.
IGNORED_CHECKS = "W3005"
# cfn-lint's exit status is a bit mask, and this bit is set when it found an error.
ERROR_BIT = 2


def test_cfn_lint_no_errors(synthesized: Synthesized):
    assert CFN_LINT.is_file(), f"{CFN_LINT} not found; install requirements-dev.txt"
    files = [str(synthesized.template_file(stack_name)) for stack_name in STACK_NAMES]

    result = subprocess.run(
        [str(CFN_LINT), "--format", "json", "--ignore-checks", IGNORED_CHECKS, "--", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.stdout.strip(), f"cfn-lint printed no report (exit {result.returncode}): {result.stderr}"
    errors = [
        f"{match['Filename']}: {match['Rule']['Id']} {match['Message']}"
        for match in json.loads(result.stdout)
        if match["Level"] == "Error"
    ]
    assert errors == []
    assert result.returncode & ERROR_BIT == 0, result.stderr
