"""One Powertools Logger per function, configured from POWERTOOLS_* environment variables."""

from aws_lambda_powertools import Logger

logger = Logger()
