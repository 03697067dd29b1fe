"""Lazily created boto3 clients, shared by the handlers of one function."""

from functools import cache
from typing import Any

import boto3


@cache
def client(service: str) -> Any:
    """Return a cached boto3 client for ``service``.

    AWS_ENDPOINT_URL, which the emulator injects, is honoured by boto3 itself.
    """
    return boto3.client(service)


@cache
def table(name: str) -> Any:
    """Return a cached DynamoDB Table resource."""
    return boto3.resource("dynamodb").Table(name)
