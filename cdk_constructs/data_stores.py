"""Encrypted tables, stream and queues with stable logical ids and environment-aware removal."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.settings import EnvironmentSettings


def removal_policy(settings: EnvironmentSettings) -> RemovalPolicy:
    """Keep data when the stack is deleted, except on the disposable local emulator."""
    return RemovalPolicy.RETAIN if settings.retain_data else RemovalPolicy.DESTROY


def data_key(scope: Construct, construct_id: str, *, settings: EnvironmentSettings, description: str) -> kms.Key:
    """Create a customer-managed KMS key with yearly rotation for one stack's data at rest."""
    return kms.Key(
        scope,
        construct_id,
        description=description,
        enable_key_rotation=True,
        removal_policy=removal_policy(settings),
    )


def table(
    scope: Construct,
    construct_id: str,
    *,
    partition_key: str,
    sort_key: str | None = None,
    key: kms.IKey,
    settings: EnvironmentSettings,
    time_to_live_attribute: str | None = None,
) -> dynamodb.Table:
    """Create an on-demand table encrypted with ``key`` and with point-in-time recovery.

    NOTE: the local emulator ignores the time-to-live setting of a CloudFormation table, so
    readers of such a table must check expiry themselves.
    """
    return dynamodb.Table(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING) if sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=time_to_live_attribute,
        removal_policy=removal_policy(settings),
    )


def grant_table_actions(table: dynamodb.ITable, grantee: iam.IGrantable, *actions: str) -> None:
    """Allow ``grantee`` exactly ``actions`` on ``table``, and the key use those actions need."""
    table.grant(grantee, *actions)
    if table.encryption_key is not None:
        table.encryption_key.grant_encrypt_decrypt(grantee)


def stream(scope: Construct, construct_id: str, *, settings: EnvironmentSettings) -> kinesis.Stream:
    """Create the enrollment event stream, one shard, encrypted with the AWS-managed Kinesis key.

    NOTE: the events carry contract and account ids and each action's otherData. Switch to a
    customer-managed key if policy requires one for such data; it adds per-producer and
    per-consumer KMS costs.
    """
    return kinesis.Stream(
        scope,
        construct_id,
        shard_count=1,
        retention_period=Duration.hours(24 * 7),
        encryption=kinesis.StreamEncryption.MANAGED,
        removal_policy=removal_policy(settings),
    )


def queue(scope: Construct, construct_id: str, *, key: kms.IKey, settings: EnvironmentSettings) -> sqs.Queue:
    """Create an encrypted, TLS-only queue that keeps messages for 14 days (a dead-letter queue)."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=Duration.days(14),
        removal_policy=removal_policy(settings),
    )


_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def log_group(scope: Construct, construct_id: str, *, settings: EnvironmentSettings) -> logs.LogGroup:
    """Create a log group with the environment's retention and removal policy."""
    retention = _RETENTION.get(settings.log_retention_days)
    if retention is None:
        raise ValueError(
            f"logRetentionDays {settings.log_retention_days} is not supported; use one of {sorted(_RETENTION)}"
        )
    return logs.LogGroup(scope, construct_id, retention=retention, removal_policy=removal_policy(settings))
