"""Template assertions on the synthesized local stacks: they check intent, never hashed logical ids."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.infra.conftest import STACK_NAMES, Synthesized

ALERTING, IMMEDIATE, EVENTUAL = STACK_NAMES
# CloudFormation accepts a template of at most 51,200 bytes inline (TemplateBody) and of at
# most 1 MB from S3 (TemplateURL).
MAX_INLINE_TEMPLATE_BYTES = 51_200
MAX_S3_TEMPLATE_BYTES = 1_000_000
# Environment variable names that would hold a credential if their value were a literal.
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "ROUTING_KEY", "API_KEY")


def _resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] == resource_type
    }


def _all_resources(templates: dict[str, dict[str, Any]], resource_type: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (stack_name, logical_id, resource)
        for stack_name, template in templates.items()
        for logical_id, resource in _resources(template, resource_type).items()
    ]


def _state_names(states: dict[str, Any]) -> set[str]:
    names = set(states)
    for state in states.values():
        if state["Type"] == "Map":
            processor = state.get("ItemProcessor") or state["Iterator"]
            names |= _state_names(processor["States"])
        for branch in state.get("Branches", []):
            names |= _state_names(branch["States"])
    return names


def _definitions(templates: dict[str, dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any], dict[str, Any]]]:
    """Map each state machine's StartAt to its stack, resource properties and parsed definition."""
    found: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}
    for stack_name, _, resource in _all_resources(templates, "AWS::StepFunctions::StateMachine"):
        properties = resource["Properties"]
        definition_string = properties["DefinitionString"]
        assert isinstance(definition_string, str), "definitions are inlined as one string with substitutions"
        definition = json.loads(definition_string)
        found[definition["StartAt"]] = (stack_name, properties, definition)
    return found


def _function_by_handler(template: dict[str, Any], handler: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (logical_id, resource["Properties"])
        for logical_id, resource in _resources(template, "AWS::Lambda::Function").items()
        if resource["Properties"].get("Handler") == handler
    ]
    assert len(matches) == 1, f"expected one function with handler {handler}, found {len(matches)}"
    return matches[0]


def _policy_statements_of_role(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in _resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_synth_succeeds(synthesized: Synthesized):
    assert synthesized.synth_error is None, f"app.synth() failed: {synthesized.synth_error}"


def test_three_stacks_exist(synthesized: Synthesized):
    assert set(synthesized.stacks) == set(STACK_NAMES)
    assembly_stacks = {stack.stack_name for stack in synthesized.app.synth().stacks}
    assert assembly_stacks == set(STACK_NAMES)


def test_stacks_target_local_account(synthesized: Synthesized):
    for stack in synthesized.stacks.values():
        assert stack.account == "000000000000"
        assert stack.region == synthesized.settings.region


def test_immediate_workflow_is_express(templates):
    stack_name, properties, _ = _definitions(templates)["Check Eligibility"]

    assert stack_name == IMMEDIATE
    assert properties["StateMachineType"] == "EXPRESS"


def test_eventual_workflow_is_standard(templates):
    stack_name, properties, _ = _definitions(templates)["Read Enrollment Request"]

    assert stack_name == EVENTUAL
    assert properties["StateMachineType"] == "STANDARD"


@pytest.mark.parametrize(
    ("start_at", "expected"),
    [
        (
            "Check Eligibility",
            {
                "Check Eligibility",
                "Is Eligible",
                "Enroll Customer Profile",
                "Set Up Payments",
                "Build Enrollment Event",
                "Publish Enrollment Event",
                "Audit Enrollment",
                "Audit Not Eligible",
                "Audit Failure",
                "Publish Failure Alert",
                "Compensate Enrollment",
                "Record Response",
                "Release Lock",
            },
        ),
        (
            "Read Enrollment Request",
            {
                "Read Enrollment Request",
                "Is Enrollment Settled?",
                "Plan Actions",
                "Fulfil Immediate Actions",
                "Fulfil Action",
                "Schedule Hooks",
                "Publish Failure Alert",
            },
        ),
    ],
    ids=["immediate", "eventual"],
)
def test_state_names_stable(templates, start_at, expected):
    _, _, definition = _definitions(templates)[start_at]

    missing = expected - _state_names(definition["States"])

    assert not missing, f"state names missing from the deployed definition: {sorted(missing)}"


def test_state_machines_logged_and_traced(templates):
    for _, properties, _ in _definitions(templates).values():
        assert properties["TracingConfiguration"] == {"Enabled": True}
        assert properties["LoggingConfiguration"]["Level"] == "ALL"
        assert properties["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_tables_encrypted_with_pitr(templates):
    tables = _all_resources(templates, "AWS::DynamoDB::Table")

    assert len(tables) == 6
    for stack_name, logical_id, table in tables:
        properties = table["Properties"]
        where = f"{stack_name}/{logical_id}"
        assert properties["SSESpecification"]["SSEEnabled"] is True, where
        assert properties["SSESpecification"]["SSEType"] == "KMS", where
        assert "KMSMasterKeyId" in properties["SSESpecification"], where
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, where


def test_kms_keys_rotate(templates):
    for stack_name, logical_id, key in _all_resources(templates, "AWS::KMS::Key"):
        assert key["Properties"]["EnableKeyRotation"] is True, f"{stack_name}/{logical_id}"


def test_queues_encrypted_and_tls_only(templates):
    queues = _all_resources(templates, "AWS::SQS::Queue")

    assert len(queues) == 3
    for stack_name, logical_id, queue in queues:
        where = f"{stack_name}/{logical_id}"
        assert "KmsMasterKeyId" in queue["Properties"], where
        tls_denials = [
            statement
            for policy in _resources(templates[stack_name], "AWS::SQS::QueuePolicy").values()
            if {"Ref": logical_id} in policy["Properties"]["Queues"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Deny"
            and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert tls_denials, f"{where} has no queue policy that denies requests without TLS"


def test_topic_encrypted_and_tls_only(synthesized: Synthesized):
    template = synthesized.template(ALERTING)

    template.resource_count_is("AWS::SNS::Topic", 1)
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )


def test_stream_encrypted(synthesized: Synthesized):
    template = synthesized.template(IMMEDIATE)

    template.resource_count_is("AWS::Kinesis::Stream", 1)
    template.has_resource_properties(
        "AWS::Kinesis::Stream", {"StreamEncryption": {"EncryptionType": "KMS", "KeyId": Match.any_value()}}
    )


def test_functions_share_defaults(templates):
    functions = _all_resources(templates, "AWS::Lambda::Function")

    assert len(functions) == 11
    for stack_name, logical_id, function in functions:
        properties = function["Properties"]
        where = f"{stack_name}/{logical_id}"
        assert properties["Runtime"] == "python3.12", where
        assert properties["TracingConfig"] == {"Mode": "Active"}, where
        assert len(properties.get("Layers", [])) >= 1, where
        assert "LogGroup" in properties.get("LoggingConfig", {}), where


def test_schedule_group_exists(synthesized: Synthesized):
    synthesized.template(EVENTUAL).has_resource_properties(
        "AWS::Scheduler::ScheduleGroup", {"Name": f"contract-hooks-{synthesized.settings.name}"}
    )


def test_scheduler_role_invokes_one_function(templates):
    template = templates[EVENTUAL]
    scheduler_roles = [
        logical_id
        for logical_id, role in _resources(template, "AWS::IAM::Role").items()
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if statement.get("Principal", {}).get("Service") == "scheduler.amazonaws.com"
    ]
    assert len(scheduler_roles) == 1
    role_id = scheduler_roles[0]
    statements = _policy_statements_of_role(template, role_id)

    invoke_resources = [
        resource
        for statement in statements
        if "lambda:InvokeFunction" in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    ]
    assert len(invoke_resources) == 1, invoke_resources
    fulfil_id, _ = _function_by_handler(template, "fulfil_action.handler.lambda_handler")
    assert invoke_resources[0] == {"Fn::GetAtt": [fulfil_id, "Arn"]}

    for statement in statements:
        for resource in _as_list(statement["Resource"]):
            assert "*" not in _strings(resource), f"scheduler role statement has a wildcard resource: {statement}"


def test_scheduler_role_trust_scoped(templates):
    template = templates[EVENTUAL]
    trust = [
        statement
        for role in _resources(template, "AWS::IAM::Role").values()
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if statement.get("Principal", {}).get("Service") == "scheduler.amazonaws.com"
    ]

    assert trust[0]["Action"] == "sts:AssumeRole"
    assert trust[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "000000000000"}
    assert trust[0]["Condition"]["ArnEquals"] == {
        "aws:SourceArn": "arn:aws:scheduler:us-east-1:000000000000:schedule-group/contract-hooks-local"
    }


def test_api_method_uses_iam(synthesized: Synthesized):
    template = synthesized.template(IMMEDIATE)

    template.has_resource_properties("AWS::ApiGateway::Method", {"HttpMethod": "POST", "AuthorizationType": "AWS_IAM"})
    methods = template.find_resources("AWS::ApiGateway::Method")
    for logical_id, method in methods.items():
        if method["Properties"]["HttpMethod"] != "OPTIONS":
            assert method["Properties"]["AuthorizationType"] == "AWS_IAM", logical_id


def _method(template: dict[str, Any], http_method: str, path: str) -> dict[str, Any]:
    """Return the properties of the API method ``http_method`` on resource ``path`` (like /a/{b})."""
    resources = _resources(template, "AWS::ApiGateway::Resource")

    def path_of(resource_ref: Any) -> str:
        if "Fn::GetAtt" in resource_ref:  # the API's root resource
            return ""
        properties = resources[resource_ref["Ref"]]["Properties"]
        return f"{path_of(properties['ParentId'])}/{properties['PathPart']}"

    matches: list[dict[str, Any]] = [
        method["Properties"]
        for method in _resources(template, "AWS::ApiGateway::Method").values()
        if method["Properties"]["HttpMethod"] == http_method and path_of(method["Properties"]["ResourceId"]) == path
    ]
    assert len(matches) == 1, f"expected one {http_method} {path}, found {len(matches)}"
    return matches[0]


@pytest.mark.parametrize(
    ("http_method", "path", "handler"),
    [
        ("POST", "/contracts", "api.handler.lambda_handler"),
        ("GET", "/contracts/{contractId}/hooks", "contract_hooks.handler.lambda_handler"),
        ("DELETE", "/contracts/{contractId}", "contract_hooks.handler.lambda_handler"),
    ],
)
def test_api_routes_proxy_to_handlers(templates, http_method, path, handler):
    template = templates[IMMEDIATE]
    function_id, _ = _function_by_handler(template, handler)

    method = _method(template, http_method, path)

    assert method["AuthorizationType"] == "AWS_IAM"
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert function_id in json.dumps(method["Integration"]["Uri"])


def test_api_has_three_methods(templates):
    methods = _resources(templates[IMMEDIATE], "AWS::ApiGateway::Method")

    assert sorted(method["Properties"]["HttpMethod"] for method in methods.values()) == ["DELETE", "GET", "POST"]


def test_notifier_environment(templates, synthesized: Synthesized):
    template = templates[ALERTING]
    _, notifier = _function_by_handler(template, "pagerduty_notifier.handler.lambda_handler")
    variables = notifier["Environment"]["Variables"]
    (secret_id,) = _resources(template, "AWS::SecretsManager::Secret")

    assert variables["PAGERDUTY_EVENTS_URL"] == synthesized.settings.pagerduty_events_url
    assert variables["ROUTING_KEY_SECRET_ARN"] == {"Ref": secret_id}


def test_secret_value_generated(templates):
    (secret,) = _resources(templates[ALERTING], "AWS::SecretsManager::Secret").values()

    assert "SecretString" not in secret["Properties"]
    assert "GenerateSecretString" in secret["Properties"]


@pytest.mark.parametrize("stack_name", STACK_NAMES)
def test_no_literal_secret(synthesized: Synthesized, stack_name):
    text = synthesized.template_file(stack_name).read_text()
    template = json.loads(text)

    assert "routing_key" not in text
    assert '"SecretString"' not in text
    for logical_id, function in _resources(template, "AWS::Lambda::Function").items():
        for name, value in function["Properties"].get("Environment", {}).get("Variables", {}).items():
            if any(word in name for word in SECRET_WORDS):
                assert not isinstance(value, str), f"{logical_id} sets {name} to a literal value"


@pytest.mark.parametrize("stack_name", STACK_NAMES)
def test_template_under_size_limit(synthesized: Synthesized, stack_name):
    size = synthesized.template_file(stack_name).stat().st_size
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())
    properties = manifest["artifacts"][stack_name]["properties"]

    # The CDK CLI deploys a template published as an asset from S3, whatever its size, so only a
    # template without an asset URL must fit inline.
    if "stackTemplateAssetObjectUrl" not in properties:
        assert size < MAX_INLINE_TEMPLATE_BYTES, f"{stack_name} template is {size} bytes and has no S3 asset"
    assert size < MAX_S3_TEMPLATE_BYTES, f"{stack_name} template is {size} bytes"


def test_fault_injection_flag_local(templates):
    for stack_name, logical_id, function in _all_resources(templates, "AWS::Lambda::Function"):
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["ALLOW_FAULT_INJECTION"] == "true", f"{stack_name}/{logical_id}"


def test_alarms_may_publish_to_topic(templates):
    policies = _all_resources(templates, "AWS::SNS::TopicPolicy")
    statements = [
        statement
        for _, _, policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if isinstance(statement["Principal"], dict)
        and statement["Principal"].get("Service") == "cloudwatch.amazonaws.com"
    ]

    assert len(statements) == 1
    assert statements[0]["Effect"] == "Allow"
    assert statements[0]["Action"] == "sns:Publish"
    assert statements[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "000000000000"}


def test_async_failures_go_to_queues(templates):
    configs = _all_resources(templates, "AWS::Lambda::EventInvokeConfig")

    assert len(configs) == 2
    for _, _, config in configs:
        assert config["Properties"]["MaximumRetryAttempts"] == 2
        assert "OnFailure" in config["Properties"]["DestinationConfig"]


def _policy_actions(template: dict[str, Any], role_prefix: str) -> set[str]:
    actions: set[str] = set()
    for logical_id, policy in _resources(template, "AWS::IAM::Policy").items():
        if not logical_id.startswith(role_prefix):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            listed = statement["Action"]
            actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def _grants_by_resource(template: dict[str, Any], role_prefix: str, service: str) -> dict[str, set[str]]:
    """Map each resource (as JSON) of a role's ``service`` statements to the actions allowed on it."""
    grants: dict[str, set[str]] = {}
    for logical_id, policy in _resources(template, "AWS::IAM::Policy").items():
        if not logical_id.startswith(role_prefix):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = {action for action in _as_list(statement["Action"]) if action.startswith(f"{service}:")}
            if not actions:
                continue
            for resource in _as_list(statement["Resource"]):
                grants.setdefault(json.dumps(resource, sort_keys=True), set()).update(actions)
    return grants


def _dynamodb_grants(template: dict[str, Any], role_prefix: str) -> dict[str, set[str]]:
    """Map each table a role may use to its DynamoDB actions, keyed by the table's logical id."""
    grants = _grants_by_resource(template, role_prefix, "dynamodb")
    by_table: dict[str, set[str]] = {}
    for resource, actions in grants.items():
        for name in ("ProfileTable", "PaymentsTable", "AuditTable", "HooksTable", "IdempotencyTable", "RequestsTable"):
            if f'"{name}' in resource or f"GetAtt{name}" in resource:
                by_table.setdefault(name, set()).update(actions)
                break
        else:
            raise AssertionError(f"{role_prefix} has DynamoDB actions on an unexpected resource {resource}")
    return by_table


def test_table_grants_are_narrow(templates):
    profile_actions = _policy_actions(templates[IMMEDIATE], "ProfileRole")

    assert "dynamodb:UpdateItem" in profile_actions
    assert not {a for a in profile_actions if a.startswith("dynamodb:") and a != "dynamodb:UpdateItem"}


@pytest.mark.parametrize(
    ("stack_name", "role_prefix", "expected"),
    [
        (
            EVENTUAL,
            "FulfilActionRole",
            {
                "HooksTable": {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:ConditionCheckItem"},
                "IdempotencyTable": {
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                },
                "AuditTable": {"dynamodb:PutItem"},
                "ProfileTable": {"dynamodb:UpdateItem"},
            },
        ),
        (
            EVENTUAL,
            "ScheduleHooksRole",
            {"HooksTable": {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:ConditionCheckItem"}},
        ),
        (
            IMMEDIATE,
            "ContractHooksRole",
            {
                "HooksTable": {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"},
                "AuditTable": {"dynamodb:Query", "dynamodb:PutItem"},
                "RequestsTable": {"dynamodb:GetItem"},
            },
        ),
    ],
    ids=["fulfil", "schedule-hooks", "contract-hooks"],
)
def test_hook_functions_table_grants_exact(templates, stack_name, role_prefix, expected):
    assert _dynamodb_grants(templates[stack_name], role_prefix) == expected


SCHEDULES_ARN = {
    "Fn::Join": [
        "",
        ["arn:", {"Ref": "AWS::Partition"}, ":scheduler:us-east-1:000000000000:schedule/contract-hooks-local/*"],
    ]
}


@pytest.mark.parametrize(
    ("stack_name", "role_prefix", "expected"),
    [
        (EVENTUAL, "ScheduleHooksRole", {"scheduler:CreateSchedule", "scheduler:DeleteSchedule"}),
        (IMMEDIATE, "ContractHooksRole", {"scheduler:DeleteSchedule"}),
    ],
    ids=["schedule-hooks", "contract-hooks"],
)
def test_scheduler_grants_exact(templates, stack_name, role_prefix, expected):
    grants = _grants_by_resource(templates[stack_name], role_prefix, "scheduler")

    assert grants == {json.dumps(SCHEDULES_ARN, sort_keys=True): expected}


def test_hooks_table_in_immediate_stack(templates):
    (table,) = [
        resource
        for logical_id, resource in _resources(templates[IMMEDIATE], "AWS::DynamoDB::Table").items()
        if logical_id.startswith("HooksTable")
    ]
    properties = table["Properties"]
    (key_id,) = _resources(templates[IMMEDIATE], "AWS::KMS::Key")

    assert properties["KeySchema"] == [
        {"AttributeName": "contractId", "KeyType": "HASH"},
        {"AttributeName": "hookName", "KeyType": "RANGE"},
    ]
    assert properties["SSESpecification"]["KMSMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert not [
        logical_id
        for logical_id in _resources(templates[EVENTUAL], "AWS::DynamoDB::Table")
        if logical_id.startswith("HooksTable")
    ]


def test_idempotency_table(templates):
    ((logical_id, table),) = _resources(templates[EVENTUAL], "AWS::DynamoDB::Table").items()
    properties = table["Properties"]
    (key_id,) = _resources(templates[EVENTUAL], "AWS::KMS::Key")
    _, fulfil = _function_by_handler(templates[EVENTUAL], "fulfil_action.handler.lambda_handler")

    assert logical_id.startswith("IdempotencyTable")
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["KMSMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert fulfil["Environment"]["Variables"]["IDEMPOTENCY_TABLE_NAME"] == {"Ref": logical_id}


def test_contract_hooks_environment(templates):
    template = templates[IMMEDIATE]
    _, function = _function_by_handler(template, "contract_hooks.handler.lambda_handler")
    variables = function["Environment"]["Variables"]

    assert variables["SCHEDULE_GROUP_NAME"] == "contract-hooks-local"
    assert variables["HOOKS_TABLE_NAME"]["Ref"].startswith("HooksTable")
    assert variables["AUDIT_TABLE_NAME"]["Ref"].startswith("AuditTable")


def _table_actions_on(template: dict[str, Any], role_prefix: str, table_prefix: str) -> set[str]:
    """DynamoDB actions a role's policies allow on the table whose logical id starts with ``table_prefix``."""
    actions: set[str] = set()
    for logical_id, policy in _resources(template, "AWS::IAM::Policy").items():
        if not logical_id.startswith(role_prefix):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if table_prefix in json.dumps(statement.get("Resource")):
                actions.update(a for a in _as_list(statement["Action"]) if a.startswith("dynamodb:"))
    return actions


@pytest.mark.parametrize(
    ("stack", "role_prefix", "table_prefix", "expected"),
    [
        (IMMEDIATE, "ApiHandlerRole", "RequestsTable", {"dynamodb:PutItem", "dynamodb:GetItem"}),
        (IMMEDIATE, "ApiHandlerRole", "HooksTable", {"dynamodb:GetItem"}),
        (IMMEDIATE, "WorkflowStateMachineRole", "RequestsTable", {"dynamodb:UpdateItem", "dynamodb:DeleteItem"}),
        (IMMEDIATE, "CompensationRole", "ProfileTable", {"dynamodb:UpdateItem", "dynamodb:DeleteItem"}),
        (IMMEDIATE, "CompensationRole", "PaymentsTable", {"dynamodb:UpdateItem"}),
        (IMMEDIATE, "PaymentsRole", "PaymentsTable", {"dynamodb:PutItem"}),
    ],
    ids=[
        "api-locks",
        "api-cancellation-marker",
        "workflow-answers",
        "compensation-profile",
        "compensation-payments",
        "payments",
    ],
)
def test_request_and_compensation_grants_exact(templates, stack, role_prefix, table_prefix, expected):
    assert _table_actions_on(templates[stack], role_prefix, table_prefix) == expected


def test_eventual_workflow_only_reads_requests(templates):
    statements = [
        statement
        for logical_id, policy in _resources(templates[EVENTUAL], "AWS::IAM::Policy").items()
        if logical_id.startswith("WorkflowStateMachineRole")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "RequestsTable" in json.dumps(statement.get("Resource"))
    ]

    assert [statement["Action"] for statement in statements] == ["dynamodb:GetItem"]


def test_lock_outlives_the_api_function(templates):
    _, api = _function_by_handler(templates[IMMEDIATE], "api.handler.lambda_handler")
    variables = api["Environment"]["Variables"]

    assert int(variables["LOCK_SECONDS"]) > api["Timeout"]
    assert "REQUESTS_TABLE_NAME" in variables


def test_eligibility_uses_bundled_ruleset_locally(templates):
    _, eligibility = _function_by_handler(templates[IMMEDIATE], "eligibility.handler.lambda_handler")

    assert eligibility["Environment"]["Variables"]["RULES_ENGINE_MODE"] == "local"
    assert "RULES_ENGINE_URL" not in eligibility["Environment"]["Variables"]
