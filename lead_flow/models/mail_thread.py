import logging
import re

from markupsafe import Markup

from odoo import api, models
from odoo.tools import email_normalize, email_split
from odoo.tools.mail import generate_tracking_message_id

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """File mail sent to a lead's archive address (``<prefix>+<token>@domain``) in that
        lead's history when the archive contact policy lets the sender do so; otherwise
        bounce it as Odoo bounces mail refused by an alias's contact policy. An archive
        address that belongs to no lead (an old ``<prefix>+<id>`` one, a wrong token) is
        treated as Odoo treats any address that is no alias: its own routing decides
        (a reply is routed by its headers, a mail also sent to the catchall is bounced,
        anything else has no route). Bounce reports go through Odoo's bounce handling."""
        if not message_dict.get("is_bounce"):
            route = self._lead_flow_archive_route(message, message_dict)
            if route is not None:
                return route
        return super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )

    @api.model
    def _lead_flow_archive_route(self, message, message_dict):
        """The route of a mail to an archive address, [] when it was refused and bounced,
        None when it is not for a lead's archive address."""
        prefix = self.env["crm.lead"]._lead_flow_archive_prefix()
        pattern = re.compile(rf"^{re.escape(prefix)}\+(\w+)@", re.IGNORECASE)
        headers = ("Delivered-To", "To", "Cc", "Resent-To", "Resent-Cc", "X-Original-To")
        addresses = email_split(",".join(str(message.get(h) or "") for h in headers))
        tokens = [m.group(1).lower() for m in map(pattern.match, addresses) if m]
        if not tokens:
            return None
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search([("lead_flow_archive_token", "in", tokens)])
        )
        lead_by_token = {lead.lead_flow_archive_token: lead for lead in leads}
        lead = next((lead_by_token[t] for t in tokens if t in lead_by_token), None)
        if not lead:
            _logger.info(
                "Lead Flow archive: mail from %s with Message-Id %s: no lead has archive "
                "code(s) %s, routed as for any other address",
                message_dict.get("email_from"),
                message_dict.get("message_id"),
                ", ".join(tokens),
            )
            return None
        if not lead._lead_flow_archive_sender_allowed(message_dict.get("email_from")):
            self._lead_flow_archive_bounce(message, message_dict, lead)
            return []
        return [("crm.lead", lead.id, None, self.env.ref("base.user_root").id, False)]

    @api.model
    def _lead_flow_archive_bounce(self, message, message_dict, lead):
        """Refuse a mail to ``lead``'s archive address the way Odoo refuses a mail that an
        alias's contact policy does not accept: log line, then a bounce to the sender built
        by Odoo's gateway (its MAILER-DAEMON sender, its bounce template)."""
        email_from = message_dict.get("email_from")
        self._routing_warn(
            f"archive address of lead {lead.id}: sender {email_from} may not file mail there "
            f"(policy {lead._lead_flow_archive_contact()})",
            message_dict.get("message_id"),
            ("crm.lead", lead.id),
            raise_exception=False,
        )
        sender = (
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "=", email_normalize(email_from) or "")], limit=1)
        )
        env = self.with_context(lang=sender.lang).env if sender.lang else self.env
        company = lead.company_id or env.company
        contact = company.partner_id.email_formatted or company.name
        body = Markup("<p>%s<br/><br/>%s<br/><br/>%s<br/><br/>%s</p>") % (
            env._("Dear Sender,"),
            env._(
                "The message below was not filed: %(address)s files e-mail in the history of "
                "one of our leads, and you may not file e-mail there.",
                address=lead.lead_flow_archive_email,
            ),
            env._(
                "Please make sure you are using the correct address or contact us at "
                "%(contact)s instead.",
                contact=contact,
            ),
            env._("Kind Regards"),
        )
        body_html = env["ir.qweb"]._render(
            "mail.mail_bounce_alias_security",
            {"body": body, "message": message_dict},
            minimal_qcontext=True,
        )
        self._routing_create_bounce_email(
            email_from,
            body_html,
            message,
            # Odoo's loop tag: a reply to the bounce (an auto-responder) is ignored.
            references=f"{message_dict.get('message_id')} "
            f"{generate_tracking_message_id('loop-detection-bounce-email')}",
            reply_to=company.email,
        )
