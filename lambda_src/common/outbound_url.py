"""The rule for URLs that functions send requests to, and an opener that follows no redirect."""

import urllib.parse
import urllib.request
from email.message import Message
from typing import IO, override

LOOPBACK_HOST = "127.0.0.1"


def is_allowed_outbound_url(url: str) -> bool:
    """Return True for an https URL with a host, or an http URL whose host is exactly 127.0.0.1.

    Plain http is allowed only for a local mock server. The name ``localhost`` is rejected because
    name resolution decides where it points. An http URL with user info is rejected, so that
    ``http://127.0.0.1@example.com/`` cannot pass as loopback. A URL with an invalid port is rejected.
    """
    parsed = urllib.parse.urlsplit(url)
    try:
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    if not parsed.hostname:
        return False
    if parsed.scheme == "https":
        return True
    return parsed.scheme == "http" and parsed.hostname == LOOPBACK_HOST and parsed.username is None


class _NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Handler that turns every 3xx into an HTTPError: a redirect could send the body to an unchecked URL."""

    @override
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def no_redirect_opener() -> urllib.request.OpenerDirector:
    """Return an opener that raises HTTPError for a 3xx instead of following it."""
    return urllib.request.build_opener(_NoRedirectHandler)
