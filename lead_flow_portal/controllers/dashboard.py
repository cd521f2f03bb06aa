"""Figures and the SVG chart of /my/leads/dashboard, drawn server-side (no script, no CDN)."""

import calendar
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

CHART_WIDTH = 600
CHART_HEIGHT = 160


def _per_day(model, domain, date_field, start, end):
    """{day of month: count} of ``model`` rows with ``date_field`` in [start, end)."""
    groups = model._read_group(
        domain
        + [
            (date_field, ">=", datetime.combine(start, time.min)),
            (date_field, "<", datetime.combine(end, time.min)),
        ],
        groupby=[f"{date_field}:day"],
        aggregates=["__count"],
    )
    return {day.day: count for day, count in groups if day}


def _points(counts, days, top):
    """SVG polyline points of ``counts`` over ``days`` days scaled to ``top``."""
    step = CHART_WIDTH / max(days - 1, 1)
    points = []
    for index in range(days):
        y = CHART_HEIGHT - counts.get(index + 1, 0) * CHART_HEIGHT / top
        points.append(f"{round(index * step, 1)},{round(y, 1)}")
    return " ".join(points)


def dashboard_values(env, month, previous, appointment_domain):
    """Leads per day of ``month`` against ``previous`` (first days of months) read as the
    user (record rules), and appointments per day of ``month`` (``appointment_domain``)."""
    Lead = env["crm.lead"].with_context(active_test=False)
    lead_domain = [("lead_flow_buyer_id", "!=", False)]
    next_month = month + relativedelta(months=1)
    current = _per_day(Lead, lead_domain, "lead_flow_delivered_at", month, next_month)
    before = _per_day(Lead, lead_domain, "lead_flow_delivered_at", previous, month)
    appointments = _per_day(
        env["calendar.event"].sudo(), list(appointment_domain), "start", month, next_month
    )
    days = calendar.monthrange(month.year, month.month)[1]
    top = max([1, *current.values(), *before.values()])
    bar_top = max([1, *appointments.values()])
    bar_width = CHART_WIDTH / days
    return {
        "chart": {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "top": top,
            "days": days,
            "current": _points(current, days, top),
            "previous": _points(before, days, top),
        },
        "daily": [
            {
                "day": day,
                "leads": current.get(day, 0),
                "previous": before.get(day, 0),
                "appointments": appointments.get(day, 0),
                "bar_x": round((day - 1) * bar_width, 1),
                "bar_w": round(bar_width * 0.8, 1),
                "bar_h": round(appointments.get(day, 0) * 60 / bar_top, 1),
            }
            for day in range(1, days + 1)
        ],
        "month": month,
        "previous_month": previous,
        "month_total": sum(current.values()),
        "previous_total": sum(before.values()),
        "appointment_total": sum(appointments.values()),
    }
