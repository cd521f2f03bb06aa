from odoo import api, models
from odoo.addons.lead_flow.models.config_param import get_id_list
from odoo.osv import expression
from odoo.tools import SQL

LISTS_KEY = "lead_flow.queue_mailing_list_ids"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _lead_flow_queue_mailing_list_ids(self):
        return get_id_list(self.env, LISTS_KEY)

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
