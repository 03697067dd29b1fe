"""Static checks of the ASL files under asl/: transitions, reachability, error handling, placeholders."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cdk_constructs.state_machine import ASL_DIR, load_definition, placeholders

ASL_FILES = sorted(ASL_DIR.glob("*.asl.json"))
TERMINAL_TYPES = {"Succeed", "Fail"}

# Tasks allowed to have no Catch; each entry needs a comment with the reason.
KNOWN_UNCAUGHT_TASKS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Scope:
    """One set of states with its own StartAt: a whole machine, a Map's processor or a Parallel branch."""

    path: str
    start_at: str
    states: dict[str, Any]
    # True when an enclosing Map or Parallel state catches the errors of this scope.
    caught_outside: bool


def _definition_name(path: Path) -> str:
    return path.name.removesuffix(".asl.json")


def _load(path: Path) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(path.read_text())
    return definition


def _scopes(definition: dict[str, Any], path: str = "", caught_outside: bool = False) -> Iterator[Scope]:
    yield Scope(path or "/", definition["StartAt"], definition["States"], caught_outside)
    for name, state in definition["States"].items():
        inner_caught = caught_outside or bool(state.get("Catch"))
        if state["Type"] == "Map":
            processor = state.get("ItemProcessor") or state["Iterator"]
            yield from _scopes(processor, f"{path}/{name}", inner_caught)
        for index, branch in enumerate(state.get("Branches", [])):
            yield from _scopes(branch, f"{path}/{name}[{index}]", inner_caught)


def _targets(state: dict[str, Any]) -> list[str]:
    targets = [state["Next"]] if "Next" in state else []
    targets += [choice["Next"] for choice in state.get("Choices", [])]
    targets += [state["Default"]] if "Default" in state else []
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return targets


def _tasks(definition_name: str) -> list[tuple[str, str]]:
    definition = _load(ASL_DIR / f"{definition_name}.asl.json")
    return [
        (definition_name, name)
        for scope in _scopes(definition)
        for name, state in scope.states.items()
        if state["Type"] == "Task"
    ]


def _task_params() -> list[Any]:
    params = []
    for path in ASL_FILES:
        for definition_name, state_name in _tasks(_definition_name(path)):
            marks = []
            if (definition_name, state_name) in KNOWN_UNCAUGHT_TASKS:
                marks.append(pytest.mark.xfail(strict=True, reason="known Task without a Catch"))
            params.append(pytest.param(definition_name, state_name, marks=marks, id=f"{definition_name}:{state_name}"))
    return params


def test_asl_files_found():
    assert {_definition_name(path) for path in ASL_FILES} == {"immediate_workflow", "eventual_actions"}


@pytest.mark.parametrize("path", ASL_FILES, ids=_definition_name)
def test_asl_parses(path):
    definition = _load(path)

    assert definition["StartAt"] in definition["States"]
    assert "QueryLanguage" not in definition or definition["QueryLanguage"] == "JSONPath"


def missing_targets(definition: dict[str, Any]) -> list[str]:
    """List each StartAt, Next, Default or Catch target that names no state of its scope."""
    problems = []
    for scope in _scopes(definition):
        if scope.start_at not in scope.states:
            problems.append(f"{scope.path}: StartAt {scope.start_at!r} does not exist")
        for name, state in scope.states.items():
            problems += [
                f"{scope.path}: {name!r} goes to missing state {target!r}"
                for target in _targets(state)
                if target not in scope.states
            ]
    return problems


def unreachable_states(definition: dict[str, Any]) -> list[str]:
    """List the states that no path from their scope's StartAt reaches."""
    problems = []
    for scope in _scopes(definition):
        reached: set[str] = set()
        pending = [scope.start_at]
        while pending:
            name = pending.pop()
            if name in scope.states and name not in reached:
                reached.add(name)
                pending.extend(_targets(scope.states[name]))
        problems += [f"{scope.path}: {name!r} is unreachable" for name in scope.states if name not in reached]
    return problems


def dangling_states(definition: dict[str, Any]) -> list[str]:
    """List the states that neither end the scope nor name their next state (or name both)."""
    problems = []
    for scope in _scopes(definition):
        for name, state in scope.states.items():
            if state["Type"] in TERMINAL_TYPES or state["Type"] == "Choice":
                if "Next" in state or "End" in state:
                    problems.append(f"{scope.path}: {state['Type']} state {name!r} has Next or End")
            elif ("Next" in state) == (state.get("End") is True):
                problems.append(f"{scope.path}: {name!r} needs exactly one of Next and End")
    return problems


@pytest.mark.parametrize("path", ASL_FILES, ids=_definition_name)
def test_next_targets_exist(path):
    assert missing_targets(_load(path)) == []


@pytest.mark.parametrize("path", ASL_FILES, ids=_definition_name)
def test_states_reachable(path):
    assert unreachable_states(_load(path)) == []


@pytest.mark.parametrize("path", ASL_FILES, ids=_definition_name)
def test_states_end_or_continue(path):
    assert dangling_states(_load(path)) == []


def test_checks_find_broken_definition():
    broken = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Missing"},
            "Orphan": {"Type": "Pass", "End": True},
            "Loose": {"Type": "Pass"},
            "Done": {"Type": "Succeed", "Next": "First"},
        },
    }

    assert missing_targets(broken) == ["/: 'First' goes to missing state 'Missing'"]
    assert unreachable_states(broken) == [
        "/: 'Orphan' is unreachable",
        "/: 'Loose' is unreachable",
        "/: 'Done' is unreachable",
    ]
    assert dangling_states(broken) == [
        "/: 'Loose' needs exactly one of Next and End",
        "/: Succeed state 'Done' has Next or End",
    ]


@pytest.mark.parametrize(("definition_name", "state_name"), _task_params())
def test_task_has_catch(definition_name, state_name):
    definition = _load(ASL_DIR / f"{definition_name}.asl.json")
    (scope,) = [scope for scope in _scopes(definition) if state_name in scope.states]
    state = scope.states[state_name]

    catches_all = any("States.ALL" in catcher["ErrorEquals"] for catcher in state.get("Catch", []))

    assert catches_all or scope.caught_outside, f"{scope.path}: Task {state_name!r} has no Catch on States.ALL"


@pytest.mark.parametrize("path", ASL_FILES, ids=_definition_name)
def test_no_name_only_catch(path):
    # The local emulator reports every Lambda error as Runtime.HandlerError, so a Catch that
    # lists only custom error names would never match there.
    for scope in _scopes(_load(path)):
        for name, state in scope.states.items():
            for catcher in state.get("Catch", []):
                assert "States.ALL" in catcher["ErrorEquals"] or "States.TaskFailed" in catcher["ErrorEquals"], (
                    f"{scope.path}: {name!r} catches only {catcher['ErrorEquals']}"
                )


@pytest.mark.parametrize("path", ASL_FILES, ids=_definition_name)
def test_placeholders_well_formed(path):
    text = load_definition(_definition_name(path))

    # Every "${" must open a ${PascalCaseName} placeholder, or CloudFormation leaves it unsubstituted.
    malformed = re.findall(r"\$\{(?![A-Za-z0-9]+\})[^}\"]*\}?", text)

    assert malformed == []
    for name in placeholders(text):
        assert name[0].isupper(), f"placeholder ${{{name}}} is not PascalCase"


def test_placeholders_match_substitutions(templates):
    substitutions_by_definition: dict[str, set[str]] = {}
    for template in templates.values():
        for resource in template["Resources"].values():
            if resource["Type"] != "AWS::StepFunctions::StateMachine":
                continue
            properties = resource["Properties"]
            for path in ASL_FILES:
                if properties["DefinitionString"] == load_definition(_definition_name(path)):
                    substitutions_by_definition[_definition_name(path)] = set(properties["DefinitionSubstitutions"])

    assert set(substitutions_by_definition) == {_definition_name(path) for path in ASL_FILES}
    for definition_name, substitutions in substitutions_by_definition.items():
        assert placeholders(load_definition(definition_name)) == substitutions, definition_name
