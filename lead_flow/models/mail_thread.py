import logging
import re

from odoo import api, models
from odoo.tools import email_split

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """File mail sent to a lead's archive address (``<prefix>+<lead id>@domain``) in that
        lead's history; mail for an unknown lead is ignored with a log line."""
        route = self._lead_flow_archive_route(message, message_dict)
        if route is not None:
            return route
        return super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )

    @api.model
    def _lead_flow_archive_route(self, message, message_dict):
        prefix = self.env["crm.lead"]._lead_flow_archive_prefix()
        pattern = re.compile(rf"^{re.escape(prefix)}\+(\w+)@", re.IGNORECASE)
        headers = ("Delivered-To", "To", "Cc", "Resent-To", "Resent-Cc", "X-Original-To")
        addresses = email_split(",".join(str(message.get(h) or "") for h in headers))
        codes = [m.group(1) for m in map(pattern.match, addresses) if m]
        if not codes:
            return None
        code = codes[0]
        lead = self.env["crm.lead"].sudo()
        if code.isdigit():
            lead = lead.with_context(active_test=False).browse(int(code)).exists()
        if not lead:
            _logger.info(
                "Lead Flow archive: ignored mail from %s with Message-Id %s: no lead %r",
                message_dict.get("email_from"),
                message_dict.get("message_id"),
                code,
            )
            return []
        return [("crm.lead", lead.id, None, self.env.ref("base.user_root").id, False)]
