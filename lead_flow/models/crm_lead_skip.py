"""Skip: an operator passes on a lead without calling it, saying why.

The skip counts as an attempt but not as a contact; the queue then puts the lead behind its
equals and keeps it out of the skipper's next claims for a while (models/queue_index.py).
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .crm_lead import OPERATOR_GROUP, RESERVATION_FIELDS

SKIP_GROUPS_KEY = "lead_flow.skip_group_ids"


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lead_flow_check_may_skip(self):
        if self.env.su:
            return
        if not self.env.user.has_group(OPERATOR_GROUP):
            raise AccessError(self.env._("Only Lead Flow operators can skip leads."))
        if not self._lead_flow_user_in_setting_groups(SKIP_GROUPS_KEY):
            raise UserError(
                self.env._(
                    "Your role may not skip leads. A Lead Flow manager can allow it in "
                    "Settings > CRM > Lead Flow > Roles that may skip."
                )
            )

    def lead_flow_skip(self, reason):
        """Pass on these leads without calling them; ``reason`` says why. Return True."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why you skip the lead: the reason is required."))
        self._lead_flow_check_may_skip()
        self.check_access("write")
        for lead in self:
            lead._lead_flow_check_skippable()
        now = fields.Datetime.now()
        text = self.env._("Skipped: %s", reason)
        entries = []
        # Checked above: operator allowed to skip, write access, no one else's reservation.
        for lead in self.sudo():
            vals = {
                "lead_flow_attempt_count": lead.lead_flow_attempt_count + 1,
                "lead_flow_skipped_at": now,
                "lead_flow_skipped_by_id": self.env.uid,
            }
            if lead.lead_flow_reserved_user_id == self.env.user:
                vals.update(dict.fromkeys(RESERVATION_FIELDS, False))
            lead.write(vals)
            message = lead.message_post(
                body=Markup("<p>%s</p>") % text,
                subtype_xmlid="mail.mt_note",
                message_type="notification",
                author_id=self.env.user.partner_id.id,
            )
            entries.append((lead, "skip", reason, message, False))
        self.env["lead.flow.log"]._lead_flow_create_automatic(entries)
        return True

    def _lead_flow_check_skippable(self):
        """Refuse, in the user's words, a lead that cannot be skipped now. Locks the row so
        that a concurrent claim or note waits for the skip (or the skip for them)."""
        self.ensure_one()
        if self.lead_flow_state == "done":
            raise UserError(
                self.env._("%s is completed: there is nothing left to skip.", self.display_name)
            )
        self.flush_recordset(["lead_flow_reserved_user_id", "lead_flow_reserved_at"])
        self.env.cr.execute(
            "SELECT lead_flow_reserved_user_id, lead_flow_reserved_at"
            " FROM crm_lead WHERE id = %s FOR UPDATE",
            [self.id],
            log_exceptions=False,  # a lost race is retried by the request layer
        )
        holder_id, reserved_at = self.env.cr.fetchone()
        cutoff = self._lead_flow_reservation_cutoff()
        expired = bool(cutoff and reserved_at and reserved_at < cutoff)
        if holder_id and holder_id != self.env.uid and not expired:
            raise UserError(
                self.env._(
                    "%(lead)s is reserved by %(holder)s: only they can skip it.",
                    lead=self.display_name,
                    holder=self.env["res.users"].sudo().browse(holder_id).name,
                )
            )
