"""What the dashboard client action (static/src/dashboard) shows, in one call."""

from datetime import datetime, time

import pytz

from odoo import api, fields, models

from .crm_lead import MANAGER_GROUP, TEAM_LEADER_GROUP
from .lead_flow_dashboard import RECENT_LIMIT


class LeadFlowDashboard(models.Model):
    _inherit = "lead.flow.dashboard"

    @api.model
    def lead_flow_dashboard_data(self):
        """My counters, callbacks, appointments and the most recent leads, the leads
        received per day this month against the previous one, and for team leaders and
        managers the team's figures of today. Everything is read with the caller's rights."""
        board = self.browse(self.env.uid)
        board.check_access("read")  # Lead Flow users, their own row
        Lead = self.env["crm.lead"]
        now = fields.Datetime.now()
        callbacks = Lead.search(
            Lead._lead_flow_my_callbacks_domain(),
            order="lead_flow_callback_at, id",
            limit=RECENT_LIMIT,
        )
        events = self.env["calendar.event"].search(
            [
                ("opportunity_id", "!=", False),
                ("stop", ">=", now),
                "|",
                ("user_id", "=", self.env.uid),
                ("partner_ids", "in", self.env.user.partner_id.ids),
            ],
            order="start",
            limit=RECENT_LIMIT,
        )
        recent = Lead.search([], order="create_date desc, id desc", limit=RECENT_LIMIT)
        states = dict(Lead._fields["lead_flow_state"]._description_selection(self.env))
        data = {
            "user_id": self.env.uid,
            "counters": board._counter_values(),
            "callbacks": [
                {
                    "id": lead.id,
                    "name": lead.name,
                    "at": fields.Datetime.to_string(lead.lead_flow_callback_at),
                    "due": lead.lead_flow_callback_at <= now,
                }
                for lead in callbacks
            ],
            "appointments": [
                {
                    "id": event.id,
                    "name": event.name,
                    "start": fields.Datetime.to_string(event.start),
                    "lead_id": event.opportunity_id.id,
                    "lead": event.opportunity_id.name,
                }
                for event in events
            ],
            "recent_leads": [
                {
                    "id": lead.id,
                    "name": lead.name,
                    "date": fields.Datetime.to_string(lead.create_date),
                    "state": states.get(lead.lead_flow_state, ""),
                }
                for lead in recent
            ],
            "per_day": self._lead_flow_leads_per_day(),
            "team": False,
        }
        user = self.env.user
        if self.env.su or user.has_group(MANAGER_GROUP) or user.has_group(TEAM_LEADER_GROUP):
            data["team"] = self._lead_flow_team_today()
        return data

    @api.model
    def _lead_flow_leads_per_day(self):
        """Leads received per day of month: {"current": [31 counts], "previous": [...]}."""
        series = {"current": [0] * 31, "previous": [0] * 31}
        groups = self.env["lead.flow.lead.day.report"]._read_group(
            [], ["period", "day"], ["lead_count:sum"]
        )
        for period, day, count in groups:
            if period in series and day and 1 <= day <= 31:
                series[period][day - 1] = count
        return series

    @api.model
    def _lead_flow_team_today(self):
        """Per operator today (the caller's record rules apply): calls and average handle
        time; the return rate of the leads received this month."""
        tz = pytz.timezone(self.env.user.tz or "UTC")
        start = tz.localize(datetime.combine(fields.Date.context_today(self), time.min))
        start = start.astimezone(pytz.utc).replace(tzinfo=None)
        groups = self.env["lead.flow.log"]._read_group(
            [("origin", "=", "manual"), ("undone", "!=", True), ("date", ">=", start)],
            ["user_id"],
            ["__count", "handle_seconds:avg"],
        )
        operators = [
            {
                "user": user.name or "",
                "calls": count,
                "handle_minutes": round((handle or 0) / 60.0, 1),
            }
            for user, count, handle in groups
        ]
        operators.sort(key=lambda row: -row["calls"])
        received, returned = self.env["lead.flow.return.report"]._read_group(
            [("date", ">=", fields.Date.today().replace(day=1))],
            [],
            ["received_count:sum", "returned_count:sum"],
        )[0]
        return {
            "operators": operators,
            "calls": sum(row["calls"] for row in operators),
            "return_rate": round(100.0 * (returned or 0) / received, 1) if received else 0.0,
        }
