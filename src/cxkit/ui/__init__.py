"""What people look at instead of a terminal (issue 19).

* :func:`render_report_html` — the migration report (:meth:`MigrationReport.to_json`) as one
  self-contained HTML page: no external resource, a strict Content-Security-Policy, inline SVG.
* :mod:`cxkit.ui.server` — ``cxkit ui``: a local web app on 127.0.0.1 (imported only when it
  runs; standard library only).

Neither ever writes a secret value: the report holds names, never values.
"""

from __future__ import annotations

from cxkit.ui.report_html import render_report_html

__all__ = ["render_report_html"]
