"""An operator note's mail routing, found only when the note notifies somebody.

message_post gives every message the values its notification e-mails need: the Reply-To
address (for a lead, its sales team's alias), the alias domain (bounce address) and the
company (layout). Finding them costs four queries and a tenth of Log & next's CPU, and most
operator notes notify nobody: their subtype is internal and followed by nobody by default,
and only the users tagged on a note are added. The note is therefore posted without them,
as Odoo's own _message_log posts its logs, and they are found and stored on the message
once its recipients turn out not to be empty, before any notification is made.
"""

from odoo import models

ROUTING_DEFERRED_KEY = "lead_flow_note_routing_deferred"
# What message_post stores when given these values: no Reply-To, alias domain or company.
DEFERRED_ROUTING = {"reply_to": False, "record_alias_domain_id": False, "record_company_id": False}


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _lead_flow_post_note(self, body, partner_ids):
        """Post the note ``body`` in this lead's chatter, by the current user, notifying
        the partners ``partner_ids`` (tagged users); return the message. The caller has
        checked that the user may log it (an operator with write access to the lead)."""
        author = self.env.user.partner_id
        # As superuser: the operator's write access to the lead is checked, which is what
        # posting on it requires (mail.message would check it again); the author and the
        # uid stay the operator's. The operator does not become a follower: a call centre
        # calls hundreds of leads a day, and following each would bring every later
        # e-mail of those leads to their inbox (the salesperson follows the lead).
        return (
            self.sudo()
            .with_context(mail_create_nosubscribe=True, **{ROUTING_DEFERRED_KEY: True})
            .message_post(
                body=body,
                subtype_xmlid="lead_flow.mt_lead_flow_note",
                message_type="comment",
                author_id=author.id,
                # Operators without an e-mail address can log too.
                email_from=author.email_formatted or author.name,
                partner_ids=[int(pid) for pid in partner_ids or []],
                **DEFERRED_ROUTING,
            )
        )

    def _notify_get_recipients(self, message, msg_vals=False, **kwargs):
        recipients = super()._notify_get_recipients(message, msg_vals=msg_vals, **kwargs)
        if recipients and self.env.context.get(ROUTING_DEFERRED_KEY):
            routing = self._lead_flow_note_routing(message, msg_vals)
            message.sudo().write(routing)
            if msg_vals:
                # The same dict goes on to the notification methods, which prefer it to
                # the message's fields.
                msg_vals.update(routing)
        return recipients

    def _lead_flow_note_routing(self, message, msg_vals):
        """The routing values message_post would have given ``message`` on this lead."""
        self.ensure_one()
        company = self.env.company
        email_from = (msg_vals or {}).get("email_from") or message.email_from
        return {
            "record_alias_domain_id": self.sudo()
            ._mail_get_alias_domains(default_company=company)[self.id]
            .id,
            "record_company_id": self._mail_get_companies(default=company)[self.id].id,
            "reply_to": self._notify_get_reply_to(default=email_from)[self.id],
        }
