"""Context -> HTML -> PDF.

:func:`render_html` fills the Jinja template (autoescaped, ``StrictUndefined`` so a misspelt
variable fails the render instead of printing an empty cell); :func:`render_pdf` lays it out
with WeasyPrint using the restricted URL fetcher for both the HTML and the stylesheet and
writes the file atomically (temporary file in the target folder, then rename), so a reader
never sees half a PDF and a re-run replaces the old one whole.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from orchestration.lib.dbt_vars import project_vars
from reports.charts import render_charts
from reports.charts_history import render_history_charts
from reports.components import FRAGILITY_COMPONENTS
from reports.context import ReportContext
from reports.fetcher import STATIC_DIR, RestrictedURLFetcher
from reports.filters import FILTERS
from reports.narrative import FUNDING_NEAR_BASELINE, INDEX_CHANGE_MATERIAL, summary_sentences
from reports.takeaways import headline, takeaways

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report.html.j2"
STYLESHEET = STATIC_DIR / "report.css"
SYNTHETIC_LABEL = "SYNTHETIC DATA \u2014 simulated market, not real prices"
#: The methodology the PDF states on its last page (docs/methodology.md, "Report wording"):
#: bump it when a formula, a weight or a wording rule changes.
METHODOLOGY_VERSION = "2026.12 (build-up/stress index)"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What :func:`render_pdf` produced.

    Attributes:
        path: the PDF written.
        pages: its page count.
        seconds: wall time of the whole render (template, charts, layout, write).
        blocked_urls: URLs the restricted fetcher refused (should be empty; non-empty means
            the HTML tried to load something it must not).
    """

    path: Path
    pages: int
    seconds: float
    blocked_urls: tuple[str, ...] = ()


def make_environment() -> Environment:
    """The Jinja environment: templates from ``reports/templates``, every template autoescaped
    (they are all HTML), undefined variables raise, formatting filters registered."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(context: ReportContext) -> str:
    """The report as one HTML document (charts embedded as SVG data URLs)."""
    template = make_environment().get_template(TEMPLATE_NAME)
    return template.render(
        ctx=context,
        charts=render_charts(context),
        history_charts=render_history_charts(context),
        takeaways=takeaways(context),
        headline=headline(context),
        methodology_version=METHODOLOGY_VERSION,
        summary=summary_sentences(context),
        component_specs=FRAGILITY_COMPONENTS,
        synthetic_label=SYNTHETIC_LABEL,
        wording={
            "index_change_material": INDEX_CHANGE_MATERIAL,
            "funding_near_baseline": FUNDING_NEAR_BASELINE,
        },
        model_settings=methodology_settings(),
    )


def methodology_settings() -> dict[str, float]:
    """The model settings the methodology page states, from their owner dbt_project.yml: the
    page prints what the models used, not a number retyped in the template."""
    model_vars = project_vars()
    return {
        "perp_discount_quantile": float(model_vars["perp_discount_quantile"]),
        "premium_history_min_days": int(model_vars["premium_history_min_days"]),
    }


def render_pdf(context: ReportContext, out_path: str | os.PathLike[str]) -> RenderResult:
    """Render the report to ``out_path`` (parent folders created) and return what was written."""
    started = time.perf_counter()
    result = write_pdf(render_html(context), out_path)
    return replace(result, seconds=time.perf_counter() - started)


def write_pdf(html_text: str, out_path: str | os.PathLike[str]) -> RenderResult:
    """Lay out ready-made report HTML with the report stylesheet and write it atomically.

    Used by :func:`render_pdf`; public so tests can prove that the restricted fetcher holds
    even for HTML that was never escaped.
    """
    from weasyprint import CSS, HTML  # imported here: slow import, only needed for PDFs
    from weasyprint.text.fonts import FontConfiguration

    started = time.perf_counter()
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)

    fetcher = RestrictedURLFetcher()
    base_url = STATIC_DIR.as_uri() + "/"
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=STYLESHEET.read_text(encoding="utf-8"), base_url=base_url,
        url_fetcher=fetcher, font_config=font_config,
    )
    document = HTML(string=html_text, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=font_config,
    )
    pages = len(document.pages)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the report from other readers
        with os.fdopen(fd, "wb") as handle:
            document.write_pdf(handle)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if fetcher.rejected:
        log.warning("report %s: refused to load %d URL(s)", target, len(fetcher.rejected))
    return RenderResult(
        path=target, pages=pages, seconds=time.perf_counter() - started,
        blocked_urls=tuple(fetcher.rejected),
    )
