from odoo import models

FORWARD_TEMPLATE = "lead_flow.mail_template_lead_flow_forward"
FORWARD_VIEW = "lead_flow.mail_compose_message_view_form_lead_flow_forward"


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _lead_flow_recent_notes(self, limit=3):
        """The lead's latest operator notes (manual, not undone), newest first: what the
        lead sheet and the forward mail quote."""
        self.ensure_one()
        return self.env["lead.flow.log"].search(
            [("lead_id", "=", self.id), ("origin", "=", "manual"), ("undone", "=", False)],
            order="date desc, id desc",
            limit=limit,
        )

    def action_lead_flow_forward(self):
        """Odoo's composer on this lead with the *Forward lead* template, as an internal
        note: only the recipients typed in are e-mailed (followers are not notified of
        notes) and they do not become followers. The automatic history logs it as an
        e-mail sent naming them (lead.flow.log._lead_flow_message_kinds)."""
        self.ensure_one()
        # Posting on a lead needs write access (mail's _mail_post_access): say so now
        # rather than after the message is written.
        self.check_access("write")
        template = self.env.ref(FORWARD_TEMPLATE, raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Forward lead"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(self.env.ref(FORWARD_VIEW).id, "form")],
            "target": "new",
            "context": {
                "default_composition_mode": "comment",
                "default_model": "crm.lead",
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_subtype_xmlid": "mail.mt_note",
                # message_post subscribes the recipients when this is set (the chatter's
                # composer sets it): a forward must not make them followers.
                "mail_post_autofollow": False,
                # Nor the operator, as with their notes (crm.lead.lead_flow_log_note).
                "mail_create_nosubscribe": True,
            },
        }
