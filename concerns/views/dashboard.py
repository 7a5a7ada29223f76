"""The DSL dashboard (issue 9): the state of the review loop now, and what was recorded in a period,
for the DSL team and auditors of the reader's sites. The children it names are on the ledger."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit import events
from audit.services import audit_record
from concerns.forms.dashboard import DashboardFilterForm
from concerns.models import Child
from concerns.policy.dashboard import dashboard_sites_for
from concerns.selectors.dashboard import dashboard_for
from concerns.views.dashboard_chart import chart_key, month_chart


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    sites = dashboard_sites_for(request.user)
    if not sites:
        raise PermissionDenied("The dashboard is for the DSL team and auditors.")
    form = DashboardFilterForm(request.GET, sites=sites)
    context: dict = {"form": form, "several_sites": len(sites) > 1}
    if not form.is_valid():
        return render(request, "concerns/dashboard/page.html", context, status=400)
    chosen = form.cleaned_data["site"]
    site_ids = [chosen] if chosen else [site_id for site_id, _ in sites]
    period = form.chosen_period()
    figures = dashboard_for(request.user, site_ids=site_ids, period=period)
    audit_record(
        actor=request.user,
        event=events.CONCERN_DASHBOARD_VIEWED,
        model=Child,
        object_ids=[child.child_id for child in figures.children],
        counts={"children": len(figures.children)},
        site_id=site_ids[0] if len(site_ids) == 1 else None,
    )
    grid = [
        (name, [figures.by_category_month.get((name, month), 0) for month in figures.months])
        for name in figures.categories
    ]
    context.update(figures=figures, period=period, grid=grid, chart=month_chart(figures), key=chart_key(figures))
    return render(request, "concerns/dashboard/page.html", context)
