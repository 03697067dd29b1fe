"""Shared defaults of every Python function: runtime, layer, logging, tracing and a scoped role."""

from aws_cdk import AssetHashType, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk_constructs import data_stores
from cdk_constructs.bundling import bundle_function, layer_dir, layer_hash
from stacks.nag import TRACING_WILDCARD, acknowledge
from stacks.settings import EnvironmentSettings

RUNTIME = lambda_.Runtime.PYTHON_3_12
# x86_64 because the layer's compiled wheels (pydantic-core) must also import on the local
# emulator, which runs functions on this machine's interpreter.
ARCHITECTURE = lambda_.Architecture.X86_64
SERVICE_NAME = "contract-enrollment"
DEFAULT_TIMEOUT = Duration.seconds(30)


class DependencyLayer(Construct):
    """The pinned runtime dependencies of every function, built locally with pip."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(
                str(layer_dir()), asset_hash=layer_hash(), asset_hash_type=AssetHashType.CUSTOM
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="aws-lambda-powertools, pydantic and tzdata for the contract enrollment functions",
        )


class PythonFunction(Construct):
    """A function built from ``lambda_src/<source>/handler.py`` with the project's defaults.

    Its role may only write to its own log group and send X-Ray traces; callers add every other
    permission with ``grant_*`` methods, so each function has exactly the permissions it uses.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source: str,
        description: str,
        settings: EnvironmentSettings,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str] | None = None,
        timeout: Duration | None = None,
        memory_size: int = 256,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = data_stores.log_group(self, "Logs", settings=settings)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the {source} function",
        )
        self.log_group.grant_write(self.role)
        acknowledge(self, TRACING_WILDCARD)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{source}.handler.lambda_handler",
            code=lambda_.Code.from_asset(str(bundle_function(source))),
            layers=[layer],
            role=self.role,
            log_group=self.log_group,
            description=description,
            timeout=timeout or DEFAULT_TIMEOUT,
            memory_size=memory_size,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "ALLOW_FAULT_INJECTION": "true" if settings.allow_fault_injection else "false",
                **(environment or {}),
            },
        )


def allow_invoke(function: lambda_.IFunction, grantee: iam.IGrantable) -> None:
    """Allow ``grantee`` to invoke exactly ``function``.

    ``grant_invoke`` also allows every version and alias (``<arn>:*``); this project invokes
    only the unqualified function, so the narrower statement is enough.
    """
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
    )
