"""Webhook receivers on pytest-httpserver: a scripted answer per POST, then 200.

``script_webhook(httpserver, path, [500])`` fails the first delivery to ``path`` and accepts
the retry; ``[404]`` with ``then=404`` is a permanently bad URL. :func:`posts` lists what the
server received (werkzeug requests: ``.path``, ``.headers``, ``.get_data()``, ``.get_json()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pytest_httpserver import HTTPServer
from werkzeug import Request

DEFAULT_PATH = "/services/T000/B000/hook-token"


def script_webhook(
    httpserver: HTTPServer,
    path: str = DEFAULT_PATH,
    statuses: Iterable[int] = (),
    *,
    then: int = 200,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Answer POSTs to ``path`` with ``statuses`` in turn (with ``headers``), then ``then``
    for good; return the URL."""
    for status in statuses:
        httpserver.expect_oneshot_request(path, method="POST").respond_with_data(
            "server said no", status=status, headers=dict(headers or {})
        )
    reply = "ok" if then < 300 else "server said no"
    httpserver.expect_request(path, method="POST").respond_with_data(reply, status=then)
    return httpserver.url_for(path)


def posts(httpserver: HTTPServer, path: str | None = None) -> list[Request]:
    """The POSTs received (to ``path`` only, when given), in order."""
    return [
        request
        for request, _ in httpserver.log
        if request.method == "POST" and (path is None or request.path == path)
    ]
