"""cdk-nag AwsSolutions findings this project acknowledges, each with its reason."""

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct

_PREFIX = "AwsSolutions::AwsSolutions-"

ACKNOWLEDGED: dict[str, str] = {
    "IAM5[Action::kms:GenerateDataKey*]": (
        "CDK grants on KMS-encrypted tables, queues and topics use GenerateDataKey* so clients can "
        "request data keys with or without plaintext; the statement is scoped to one key."
    ),
    "IAM5[Action::kms:ReEncrypt*]": (
        "CDK read-write grants on KMS-encrypted tables include ReEncrypt*, scoped to the table's key."
    ),
    "L1": (
        "Functions run python3.12 on purpose: the local emulator runs them on a Python 3.12 "
        "interpreter and the dependency layer is built for CPython 3.12."
    ),
    "SQS3": "These queues are dead-letter queues themselves (Scheduler DLQ and parked stream records).",
    "SMG4": (
        "The secret holds the PagerDuty routing key, which PagerDuty issues; it is rotated in "
        "PagerDuty and then updated here, so no rotation Lambda can produce a new one."
    ),
    "APIG2": (
        "The API function validates every request against typed models and returns a 400 that "
        "lists each invalid field, which a gateway request validator cannot do."
    ),
    "APIG3": "The company's API exchange fronts this API and applies the web application firewall.",
    "COG4": "Callers are the company's API exchange, authorized with IAM (SigV4), not Cognito users.",
    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]": (
        "API Gateway's account-level logging role must use this AWS-managed policy to write access logs."
    ),
}


# Acknowledged on each function and state machine construct only, not stack-wide, so a new
# wildcard resource anywhere else still fails the synth.
TRACING_WILDCARD: dict[str, str] = {
    "IAM5[Resource::*]": (
        "X-Ray PutTraceSegments/PutTelemetryRecords and the Step Functions log-delivery actions "
        "support no resource-level permissions, so AWS requires Resource '*' for them."
    ),
}


def acknowledge_findings(stack: Stack) -> None:
    """Record the reviewed exceptions to the AwsSolutions rules on ``stack``."""
    acknowledge(stack, ACKNOWLEDGED)


def acknowledge(scope: IConstruct, findings: dict[str, str]) -> None:
    """Acknowledge each AwsSolutions finding id in ``findings`` on ``scope`` and its children."""
    Validations.of(scope).acknowledge(
        *(Acknowledgment(id=f"{_PREFIX}{rule}", reason=reason) for rule, reason in findings.items())
    )
