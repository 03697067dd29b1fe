"""The public REST API: POST /contracts through a thin Lambda in front of the workflow, and
GET /contracts/{contractId}/hooks and DELETE /contracts/{contractId} through the hooks function.

API Gateway calls the function with Lambda-proxy integration rather than calling Step
Functions directly, because the local emulator returns 504 for non-proxy AWS integrations.
"""

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk_constructs import data_stores
from stacks.settings import EnvironmentSettings


class ContractApi(Construct):
    """A regional REST API with IAM authorization, access logs and throttling."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.IFunction,
        hooks_handler: lambda_.IFunction,
        settings: EnvironmentSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = data_stores.log_group(self, "AccessLogs", settings=settings)
        self.api = apigateway.RestApi(
            self,
            "Api",
            description="Contract offer enrollment",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # The API Gateway logging role is one setting per account and region. Locally the
            # stack creates it; on AWS the platform team's existing role is kept.
            cloud_watch_role=settings.is_local,
            deploy_options=apigateway.StageOptions(
                stage_name="v1",
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                tracing_enabled=True,
                throttling_rate_limit=50,
                throttling_burst_limit=100,
            ),
        )
        contracts = self.api.root.add_resource("contracts")
        contracts.add_method(
            "POST",
            apigateway.LambdaIntegration(handler),
            authorization_type=apigateway.AuthorizationType.IAM,
        )
        contract = contracts.add_resource("{contractId}")
        hooks_integration = apigateway.LambdaIntegration(hooks_handler)
        contract.add_method("DELETE", hooks_integration, authorization_type=apigateway.AuthorizationType.IAM)
        contract.add_resource("hooks").add_method(
            "GET", hooks_integration, authorization_type=apigateway.AuthorizationType.IAM
        )
