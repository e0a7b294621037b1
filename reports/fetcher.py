"""A URL fetcher that lets WeasyPrint read nothing but the report's own files.

WeasyPrint's default fetcher opens any ``file:`` path and any network URL, and a
``<link rel="attachment" href="file:///etc/passwd">`` in the HTML embeds that file in the PDF.
The report's HTML carries venue and ticker names from outside sources, so even with Jinja
autoescaping we close the door twice: this fetcher allows only ``data:`` URLs (the charts are
embedded SVG) and ``file:`` URLs that resolve, symlinks followed, inside ``reports/static/``.
Everything else raises :class:`URLNotAllowedError`; WeasyPrint then logs a warning and leaves
the resource out, so nothing is fetched or embedded. Rejected URLs are recorded on the instance
so the caller can report them.

It must be passed to both ``HTML()`` and ``CSS()``: ``write_pdf(url_fetcher=...)`` is ignored.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"


class URLNotAllowedError(ValueError):
    """A URL outside the report's allow-list (``data:`` and files under the static folder)."""


class RestrictedURLFetcher(URLFetcher):
    """WeasyPrint fetcher for ``data:`` URLs and files inside one static folder only.

    Args:
        static_dir: the only folder ``file:`` URLs may resolve into (default
            ``reports/static``).
    """

    def __init__(self, static_dir: Path = STATIC_DIR) -> None:
        # No redirects, no network protocols: even the parent's own checks refuse them.
        super().__init__(
            timeout=1, allowed_protocols=("data", "file"), allow_redirects=False,
            fail_on_errors=False,
        )
        self.static_dir = Path(static_dir).resolve()
        self.rejected: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Serve ``url`` if allowed; raise :class:`URLNotAllowedError` otherwise."""
        scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.resolve_static(url)
            mime, _ = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(),
                headers={"Content-Type": mime or "application/octet-stream"},
            )
        self._reject(url, "only data: and report static files may be loaded")

    def resolve_static(self, url: str) -> Path:
        """The local path of a ``file:`` URL if it lies inside the static folder."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._reject(url, "file URL with a remote host")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.static_dir):
            self._reject(url, f"outside {self.static_dir}")
        if not path.is_file():
            self._reject(url, "not a file")
        return path

    def _reject(self, url: str, why: str) -> NoReturn:
        self.rejected.append(url)
        raise URLNotAllowedError(f"refused {url[:200]!r}: {why}")
