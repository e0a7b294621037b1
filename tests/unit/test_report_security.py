"""Untrusted names cannot make the report fetch, embed or run anything.

Venue, ticker and free-text fields come from outside sources. They are escaped by Jinja's
autoescape, and even unescaped HTML cannot reach the file system or the network because
WeasyPrint only gets the restricted URL fetcher. A real loopback HTTP server proves that no
request leaves the renderer.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from jinja2 import UndefinedError
from pypdf import PdfReader
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reports import render_html, render_pdf
from reports.context import DataQualityNote, ReportContext
from reports.fetcher import STATIC_DIR, RestrictedURLFetcher, URLNotAllowedError
from reports.render import make_environment, write_pdf

ATTACHMENT = '<link rel="attachment" href="file:///etc/passwd">'
SCRIPT = "<script>alert(1)</script>"


def load_fixture_module() -> ModuleType:
    """``tests/fixtures/report_context.py`` by path (no packages, no conftest)."""
    name = "perp_fragility_fixture_report_context"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "fixtures" / "report_context.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def http_server(httpserver: HTTPServer) -> tuple[str, list[str]]:
    """A real server on 127.0.0.1 (pytest-httpserver, port chosen by the OS) recording the
    path of every request, whatever it asks for."""
    seen: list[str] = []

    def record(request: Request) -> Response:
        seen.append(request.path)
        return Response(b"", status=200, content_type="image/png")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(record)
    return httpserver.url_for("/").rstrip("/"), seen


def _payloads(base_url: str) -> tuple[str, ...]:
    return (ATTACHMENT, f'<img src="{base_url}/x">', SCRIPT,
            f"<style>@import url({base_url}/css);</style>")


def _poisoned_context(base_url: str) -> ReportContext:
    ctx = load_fixture_module().make_report_context(is_synthetic=True)
    attach, img, script, style = _payloads(base_url)
    evil = f"binance{attach}{img}{script}{style}"
    return replace(
        ctx,
        funding=tuple(replace(r, venue=evil) for r in ctx.funding),
        perp_premium=tuple(replace(r, symbol=f"ETH{img}") for r in ctx.perp_premium),
        dated_basis=tuple(replace(r, symbol=f"BTC-250627{attach}") for r in ctx.dated_basis),
        open_interest=tuple(replace(r, venue=f"okx{script}") for r in ctx.open_interest),
        arbitrage=tuple(replace(b, components=evil) for b in ctx.arbitrage),
        carry=tuple(replace(c, unwind_reason=img) for c in ctx.carry),
        notes=(*ctx.notes, DataQualityNote("warning", f"ticker ETHA{attach}{img}")),
        generated_from=f"/data/{script}",
    )


def _assert_clean_pdf(path: Path) -> None:
    reader = PdfReader(path)
    assert reader.attachments == {}
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in str(root.get("/Names", {}))
    raw = path.read_bytes()
    assert b"/EmbeddedFile" not in raw
    assert b"root:x:" not in raw
    assert not any("root:x:" in (page.extract_text() or "") for page in reader.pages)


def test_untrusted_names_are_escaped_and_nothing_is_fetched(http_server, tmp_path):
    base_url, requests = http_server
    ctx = _poisoned_context(base_url)
    html = render_html(ctx)
    for payload in _payloads(base_url):
        assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;link rel=&#34;attachment&#34; href=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<script" not in html
    assert 'rel="attachment"' not in html

    result = render_pdf(ctx, tmp_path / "poisoned.pdf")
    assert result.blocked_urls == ()  # escaped text is just text: nothing even tried
    _assert_clean_pdf(result.path)
    text = " ".join(page.extract_text() for page in PdfReader(result.path).pages)
    # shown literally, as text (in a table cell it may wrap: compare without whitespace; the
    # warehouse path that used to carry it on page 1 is no longer printed)
    assert "<script>alert(1)</script>" in "".join(text.split())
    assert requests == []


def test_fetcher_holds_even_for_unescaped_html(http_server, tmp_path):
    """Defence in depth: raw HTML straight to WeasyPrint still fetches and embeds nothing."""
    base_url, requests = http_server
    html = (f"<html><body><p>report</p>{ATTACHMENT}<img src='{base_url}/x.png'>"
            f"<a rel='attachment' href='file:///etc/passwd'>a</a>"
            f"<img src='../render.py'><style>@import url({base_url}/s.css);</style>"
            f"</body></html>")
    result = write_pdf(html, tmp_path / "raw.pdf")
    _assert_clean_pdf(result.path)
    assert requests == []
    assert any(u.startswith("file:///etc/passwd") for u in result.blocked_urls)
    assert any(u.startswith(base_url) for u in result.blocked_urls)


def test_fetcher_rejects_everything_but_data_and_static(http_server, tmp_path):
    base_url, requests = http_server
    fetcher = RestrictedURLFetcher()
    refused = [
        "file:///etc/passwd",
        f"{base_url}/x",
        "https://example.com/x.css",
        "ftp://127.0.0.1/x",
        (Path(__file__).resolve()).as_uri(),
        (STATIC_DIR.parent / "render.py").as_uri(),
        STATIC_DIR.as_uri() + "/../render.py",
        STATIC_DIR.as_uri() + "/%2e%2e/render.py",
        "file://evil.example.com" + str(STATIC_DIR / "report.css"),
        STATIC_DIR.as_uri() + "/does-not-exist.css",
        "relative/path.css",
    ]
    for url in refused:
        with pytest.raises(URLNotAllowedError):
            fetcher.fetch(url)
    assert requests == []
    assert len(fetcher.rejected) == len(refused)

    data = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    response = fetcher.fetch(f"data:image/svg+xml;base64,{data}")
    assert response.read().startswith(b"<svg")
    css = fetcher.fetch((STATIC_DIR / "report.css").as_uri())
    assert css.read() == (STATIC_DIR / "report.css").read_bytes()
    assert css.content_type == "text/css"


def test_fetcher_does_not_follow_symlinks_out_of_static(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p { color: black }")
    (static / "passwd.css").symlink_to("/etc/passwd")
    fetcher = RestrictedURLFetcher(static_dir=static)
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p { color: black }"
    with pytest.raises(URLNotAllowedError):
        fetcher.fetch((static / "passwd.css").as_uri())


def test_strict_undefined_raises():
    env = make_environment()
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    with pytest.raises(UndefinedError):
        env.get_template("report.html.j2").render()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
