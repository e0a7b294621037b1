"""The weekly fragility PDF: a plain typed context in, a PDF out.

No Dagster and no warehouse access here: callers build a :class:`ReportContext` (see
``reports.warehouse.build_report_context``) and call :func:`render_pdf`.
"""

from reports.context import ReportContext
from reports.render import RenderResult, render_html, render_pdf

__all__ = ["RenderResult", "ReportContext", "render_html", "render_pdf"]
