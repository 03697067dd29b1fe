"""cdk-nag AwsSolutions checks: every finding is fixed or acknowledged with a reason.

cdk-nag 3 runs as a CDK policy-validation plugin. When a finding is not acknowledged,
app.synth() raises a RuntimeError ("ValidationFailed") and writes validation-report.json
into the output folder, with one entry per rule under ``violations``.
"""

import json
from pathlib import Path
from typing import Any

import pytest

import app as cdk_app
from stacks import nag
from tests.infra.conftest import Synthesized, build

REPORT_FILE = "validation-report.json"
NAG_PLUGIN = "AwsSolutions"
# Dropped from the acknowledgements to show that an unacknowledged finding fails the synth.
DROPPED_FINDING = "SMG4"


def _nag_report(outdir: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((outdir / REPORT_FILE).read_text())
    plugins: list[dict[str, Any]] = [entry for entry in report["pluginReports"] if entry["pluginName"] == NAG_PLUGIN]
    assert len(plugins) == 1, f"expected one {NAG_PLUGIN} report, found {len(plugins)}"
    return plugins[0]


def _rule_names(findings: list[dict[str, Any]]) -> set[str]:
    return {finding["ruleName"] for finding in findings}


def test_nag_plugin_ran(synthesized: Synthesized):
    assert (synthesized.outdir / REPORT_FILE).is_file(), "the AwsSolutions validation plugin wrote no report"


def test_no_unacknowledged_findings(synthesized: Synthesized):
    report = _nag_report(synthesized.outdir)
    unacknowledged = [
        f"{finding['ruleName']} at {[construct['constructPath'] for construct in finding['violatingConstructs']]}"
        for finding in report["violations"]
    ]

    assert unacknowledged == []
    assert report["conclusion"] == "success"
    assert synthesized.synth_error is None, f"app.synth() failed: {synthesized.synth_error}"


def test_acknowledgements_have_reasons(synthesized: Synthesized):
    report = _nag_report(synthesized.outdir)

    for finding in report["suppressedViolations"]:
        assert len(finding["reason"]) >= 40, f"{finding['ruleName']} is acknowledged without a real reason"


def test_acknowledgements_all_used(synthesized: Synthesized):
    # An acknowledgement that matches no finding hides nothing today but would hide a new one tomorrow.
    suppressed = _rule_names(_nag_report(synthesized.outdir)["suppressedViolations"])
    acknowledged = {f"AwsSolutions-{rule}" for rule in nag.ACKNOWLEDGED}

    assert acknowledged - suppressed == set()


def test_unacknowledged_finding_fails_synth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    partial = {rule: reason for rule, reason in nag.ACKNOWLEDGED.items() if rule != DROPPED_FINDING}
    monkeypatch.setattr(cdk_app, "acknowledge_findings", lambda stack: nag.acknowledge(stack, partial))
    app, _, _ = build(tmp_path)

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()

    report = _nag_report(tmp_path)
    assert report["conclusion"] == "failure"
    assert _rule_names(report["violations"]) == {f"AwsSolutions-{DROPPED_FINDING}"}
