"""The Reports page: the registered panels (config/dashboard.py), each a chart drawn as inline SVG with its
numbers a click away as CSV."""

import csv

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from config.charts import chart
from config.dashboard import Table, panel_for, panels_for
from config.replica import from_replica
from config.spreadsheets import neutralise


@from_replica()
def reports_view(site, request):
    panels = [
        {"panel": panel, "table": table, "svg": chart(panel.chart, table, panel.title)}
        for panel in panels_for(request.user)
        for table in [panel.table()]
    ]
    context = {**site.each_context(request), "title": "Reports", "panels": panels, "now": timezone.now()}
    return TemplateResponse(request, "admin/reports.html", context)


@from_replica()
def report_csv_view(site, request, key: str):
    panel = panel_for(request.user, key)
    if panel is None:
        raise Http404(f"No report '{key}'.")
    return table_csv(panel.table(), key)


def table_csv(table: Table, name: str) -> HttpResponse:
    """A chart's numbers as a CSV download named `<name>-<today>.csv`, every cell neutralised for spreadsheets."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows([neutralise(cell) for cell in row] for row in table.rows)
    return response
