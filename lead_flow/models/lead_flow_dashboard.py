from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models, tools
from odoo.tools import SQL

RECENT_LIMIT = 10


class LeadFlowDashboard(models.Model):
    """The operator's Lead Flow dashboard: one read-only row per user (a SQL view over
    ``res_users``), restricted by a global rule to the current user's own row. Every
    figure is computed for the current user when the form is opened."""

    _name = "lead.flow.dashboard"
    _description = "Lead Flow Dashboard"
    _auto = False
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", readonly=True)
    reserved_open_count = fields.Integer(
        "My reserved leads", compute="_compute_counters", help="Leads I hold, not completed."
    )
    never_contacted_count = fields.Integer(
        "Never contacted",
        compute="_compute_counters",
        help="Open leads (not completed) without any operator note yet.",
    )
    calls_today_count = fields.Integer(
        "My calls today",
        compute="_compute_counters",
        help="Entries I logged today (my timezone), undone ones excluded.",
    )
    callback_due_count = fields.Integer(
        "My callbacks due",
        compute="_compute_counters",
        help="My personal callbacks whose time has come.",
    )
    callback_lead_ids = fields.Many2many(
        "crm.lead",
        string="My callbacks",
        compute="_compute_lists",
        help="Leads I am to call back myself, the soonest first.",
    )
    appointment_ids = fields.Many2many(
        "calendar.event",
        string="My upcoming appointments",
        compute="_compute_lists",
        help="Upcoming meetings linked to a lead, where I am organiser or attendee.",
    )
    activity_ids = fields.Many2many(
        "mail.activity",
        string="My upcoming activities",
        compute="_compute_lists",
        help="Activities assigned to me on leads, due today or later.",
    )
    recent_lead_ids = fields.Many2many(
        "crm.lead", string="Most recent leads", compute="_compute_lists"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"CREATE OR REPLACE VIEW {self._table} AS (SELECT id, id AS user_id FROM res_users)"
        )

    def _domain_reserved_open(self):
        return [("lead_flow_reserved_by_me", "=", True)]  # open: not lost, not completed

    def _domain_never_contacted(self):
        # What the operator's queue holds (scope, open, free or theirs), never called yet.
        return [("lead_flow_in_queue", "=", True), ("lead_flow_last_contact_at", "=", False)]

    def _calls_today_start(self):
        """My local midnight (my time zone), as the naive UTC datetime entries are dated in."""
        tz = pytz.timezone(self.env.user.tz or "UTC")
        today = fields.Date.context_today(self)
        start = tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc)
        return start.replace(tzinfo=None)

    def _domain_calls_today(self):
        """My calls today as entries (the list behind the counter)."""
        return [
            ("user_id", "=", self.env.uid),
            ("undone", "!=", True),
            ("origin", "=", "manual"),
            ("date", ">=", self._calls_today_start()),
        ]

    def _calls_today_sql(self):
        """An SQL expression counting my manual entries, undone ones excluded, since my
        local midnight, in my companies: the entries I logged, also on leads since given to
        a colleague I may not read.

        Counting the entries themselves reads every entry of my day, at every call the
        console logs (hundreds by the evening). The report's daily totals (UTC days, kept
        exact by triggers, undoing included) hold the same count per day: the totals from
        the UTC day of my midnight on, less its entries before my midnight, or from the
        next UTC day on, plus its entries from my midnight, whichever reads fewer hours
        (12 at most, and mostly my night). Pending changes of entries are flushed first."""
        self.env["lead.flow.log"].flush_model(["user_id", "origin", "undone", "date", "company_id"])
        uid = self.env.uid
        start = self._calls_today_start()
        day = datetime.combine(start.date(), time.min)
        in_companies = SQL("(company_id IS NULL OR company_id = ANY(%s))", self.env.companies.ids)

        def totals_from(first_day):
            return SQL(
                "SELECT COALESCE(SUM(call_count), 0) FROM lead_flow_report_daily"
                " WHERE user_id = %s AND date >= %s AND %s",
                uid,
                first_day,
                in_companies,
            )

        def entries_between(begin, end):
            return SQL(
                "SELECT COUNT(*) FROM lead_flow_log WHERE user_id = %s AND origin = 'manual'"
                " AND undone IS NOT TRUE AND date >= %s AND date < %s AND %s",
                uid,
                begin,
                end,
                in_companies,
            )

        if start - day <= timedelta(hours=12):
            return SQL("(%s) - (%s)", totals_from(day), entries_between(day, start))
        next_day = day + timedelta(days=1)
        return SQL("(%s) + (%s)", totals_from(next_day), entries_between(start, next_day))

    def _counter_values(self, never_contacted=True):
        """My counters (the dashboard's, and without ``never_contacted`` the console's) in
        one query, the leads' under my record rules: {name: count}."""
        Lead = self.env["crm.lead"]
        domains = {
            "reserved": self._domain_reserved_open(),
            "callbacks_due": self._domain_callbacks_due(),
        }
        if never_contacted:
            domains["never_contacted"] = self._domain_never_contacted()
        counts = {
            name: Lead._search(domain).select(SQL("COUNT(*)")) for name, domain in domains.items()
        }
        counts["calls_today"] = self._calls_today_sql()
        [row] = self.env.execute_query(
            SQL("SELECT %s", SQL(", ").join(SQL("(%s)", count) for count in counts.values()))
        )
        return dict(zip(counts, row))

    def _domain_callbacks_due(self):
        return [
            *self.env["crm.lead"]._lead_flow_my_callbacks_domain(),
            ("lead_flow_callback_at", "<=", fields.Datetime.now()),
        ]

    def _compute_counters(self):
        counts = self._counter_values()
        for board in self:
            board.callback_due_count = counts["callbacks_due"]
            board.reserved_open_count = counts["reserved"]
            board.never_contacted_count = counts["never_contacted"]
            board.calls_today_count = counts["calls_today"]

    def _compute_lists(self):
        user = self.env.user
        events = self.env["calendar.event"].search(
            [
                ("opportunity_id", "!=", False),
                ("stop", ">=", fields.Datetime.now()),
                "|",
                ("user_id", "=", user.id),
                ("partner_ids", "in", user.partner_id.ids),
            ],
            order="start",
            limit=RECENT_LIMIT,
        )
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("user_id", "=", user.id),
                ("date_deadline", ">=", fields.Date.context_today(self)),
            ],
            order="date_deadline, id",
            limit=RECENT_LIMIT,
        )
        leads = self.env["crm.lead"].search(
            [], order="create_date desc, id desc", limit=RECENT_LIMIT
        )
        callbacks = self.env["crm.lead"].search(
            self.env["crm.lead"]._lead_flow_my_callbacks_domain(),
            order="lead_flow_callback_at, id",
            limit=RECENT_LIMIT,
        )
        for board in self:
            board.callback_lead_ids = callbacks
            board.appointment_ids = events
            board.activity_ids = activities
            board.recent_lead_ids = leads

    def action_open_dashboard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dashboard"),
            "res_model": self._name,
            "res_id": self.env.uid,
            "view_mode": "form",
            "views": [(self.env.ref("lead_flow.lead_flow_dashboard_view_form").id, "form")],
            "target": "current",
        }

    def _open_leads(self, name, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
        }

    def action_open_reserved(self):
        return self._open_leads(self.env._("My reserved leads"), self._domain_reserved_open())

    def action_open_never_contacted(self):
        return self._open_leads(self.env._("Never contacted leads"), self._domain_never_contacted())

    def action_open_callbacks_due(self):
        return self._open_leads(self.env._("My callbacks due"), self._domain_callbacks_due())

    def action_open_calls_today(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("My calls today"),
            "res_model": "lead.flow.log",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._domain_calls_today(),
        }

    def action_open_leads_per_day(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "lead_flow.action_lead_flow_lead_day_report"
        )
