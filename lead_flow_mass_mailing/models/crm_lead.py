from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL

LISTS_KEY = "lead_flow.queue_mailing_list_ids"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _lead_flow_queue_mailing_list_ids(self):
        raw = self.env["ir.config_parameter"].sudo().get_param(LISTS_KEY) or ""
        return [int(x) for x in raw.split(",") if x.strip().isdigit()]

    @api.model
    def _lead_flow_queue_scope_domain(self):
        """Only leads whose e-mail is subscribed (not opted out) to a chosen list."""
        domain = super()._lead_flow_queue_scope_domain()
        list_ids = self._lead_flow_queue_mailing_list_ids()
        if not list_ids:
            return domain
        # The sub-query reads these tables directly: write pending ORM changes first.
        self.env["mailing.subscription"].flush_model(["contact_id", "list_id", "opt_out"])
        self.env["mailing.contact"].flush_model(["email_normalized"])
        subscribed = SQL(
            """(SELECT contact.email_normalized
                  FROM mailing_subscription subscription
                  JOIN mailing_contact contact ON contact.id = subscription.contact_id
                 WHERE subscription.list_id = ANY(%s)
                   AND NOT coalesce(subscription.opt_out, false)
                   AND contact.email_normalized IS NOT NULL)""",
            list_ids,
        )
        return expression.AND([domain, [("email_normalized", "in", subscribed)]])
