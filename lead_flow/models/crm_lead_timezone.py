from odoo import api, fields, models
from odoo.tools.misc import format_datetime

from ..lib import lead_timezone


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    # Not stored: the rule lives in SQL (lib/lead_timezone) for the queue table's trigger,
    # and stored computed fields on crm_lead would change the queries that crm's own
    # tests count.
    lead_flow_tz = fields.Char(
        "Lead's time zone",
        compute="_compute_lead_flow_tz",
        help="The contact's time zone, else its state's or country's, else the company's. "
        "Calling hours apply in this time zone.",
    )
    lead_flow_local_time = fields.Char(
        "Local time",
        compute="_compute_lead_flow_tz",
        help="The time now where the lead is, in the lead's time zone.",
    )

    def init(self):
        # Before super(): the queue table's install (crm_lead_queue) calls the function.
        lead_timezone.install(self.env.cr)
        return super().init()

    # Partner and company time zones are read by the SQL function; they are not dependencies
    # here (a dotted dependency would make every partner write look for its leads), and the
    # field is recomputed at every read of a new request anyway.
    @api.depends("partner_id", "state_id", "country_id", "company_id")
    def _compute_lead_flow_tz(self):
        self.env["res.partner"].flush_model(["tz"])
        self.env["res.company"].flush_model(["partner_id"])
        # The form's current values, not the saved row: a lead being edited shows its time
        # zone for the contact, state or country just chosen.
        zones = lead_timezone.lead_timezones(
            self.env.cr,
            [
                (
                    index,
                    lead.partner_id._origin.id or None,
                    lead.state_id._origin.id or None,
                    lead.country_id._origin.id or None,
                    lead.company_id._origin.id or None,
                )
                for index, lead in enumerate(self)
            ],
        )
        now = fields.Datetime.now()
        for index, lead in enumerate(self):
            tz = zones.get(index) or "UTC"
            lead.lead_flow_tz = tz
            local = format_datetime(self.env, now, tz=tz, dt_format="EEE HH:mm")
            lead.lead_flow_local_time = f"{local} ({tz})"
