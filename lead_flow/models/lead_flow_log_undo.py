from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

DELETE_DOCUMENT_KEY = "lead_flow.delete_document_group_ids"


class LeadFlowLog(models.Model):
    _inherit = "lead.flow.log"  # pylint: disable=consider-merging-classes-inherited

    attachment_id = fields.Many2one(
        "ir.attachment", string="Document", ondelete="set null", readonly=True
    )

    def action_undo(self):
        """Mark these manual entries undone (author, team leader or Lead Flow manager only).

        Undone entries stay in the history; the lead's chatter says who undid what and
        when, and the lead's last contact / outcome follow the remaining entries.
        """
        Lead = self.env["crm.lead"]
        for entry in self:
            if entry.origin != "manual":
                raise UserError(
                    self.env._(
                        "Automatic entries record what happened to the lead and cannot be "
                        "undone (%(type)s on %(lead)s).",
                        type=entry.type_id.name,
                        lead=entry.lead_id.display_name,
                    )
                )
            if entry.undone:
                raise UserError(
                    self.env._(
                        "This entry was already undone by %(user)s on %(date)s.",
                        user=entry.undone_by_id.name,
                        date=entry.undone_at,
                    )
                )
            # The lead's team now, as for release and reassign: entries follow their lead.
            if entry.user_id != self.env.user and not Lead._lead_flow_user_manages_team(
                entry.lead_id.sudo().team_id
            ):
                raise AccessError(
                    self.env._(
                        "Only %(author)s, the leader of the entry's sales team or a Lead Flow "
                        "manager can undo this entry.",
                        author=entry.user_id.name,
                    )
                )
        self.lead_id.check_access("write")  # undoing changes the lead: status, reservation
        now = fields.Datetime.now()
        self.sudo().write({"undone": True, "undone_by_id": self.env.uid, "undone_at": now})
        self._lead_flow_release_taken_reservations()
        for entry in self:
            entry.lead_id.sudo().message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(user)s undid the %(type)s entry of %(author)s from %(date)s: %(body)s",
                    user=self.env.user.name,
                    type=entry.type_id.name,
                    author=entry.user_id.name,
                    date=fields.Datetime.to_string(entry.date),
                    body=entry.body or "",
                ),
                subtype_xmlid="mail.mt_note",
                message_type="notification",
                author_id=self.env.user.partner_id.id,
            )
        self.lead_id._lead_flow_recompute_attempts(self)
        self.lead_id._lead_flow_recompute_last_contact()
        return True

    def _lead_flow_release_taken_reservations(self):
        """The note that reserved a free lead takes the reservation with it when undone,
        so that a colleague can work the lead. A reservation from Next lead, taken by
        someone else since, or kept by a later note of the same operator stays."""
        Log = self.sudo()
        for entry in self.filtered("takes_reservation"):
            lead = entry.lead_id.sudo()
            if (
                lead.lead_flow_reserved_user_id != entry.user_id
                or lead.lead_flow_reserved_at != entry.date  # claimed again since
            ):
                continue
            later_note = Log.search_count(
                [
                    ("lead_id", "=", lead.id),
                    ("user_id", "=", entry.user_id.id),
                    ("origin", "=", "manual"),
                    ("undone", "=", False),
                    ("id", ">", entry.id),
                ],
                limit=1,
            )
            if not later_note:
                lead.write({"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False})

    def action_delete_document(self):
        """Delete the documents of these entries (permission set in Settings).

        The file is removed; the removal itself is logged as an automatic entry with who
        and when.
        """
        if not self.env["crm.lead"]._lead_flow_user_allowed(DELETE_DOCUMENT_KEY):
            raise AccessError(
                self.env._("You are not allowed to delete documents from the lead history.")
            )
        attachments = self.sudo().attachment_id
        if not attachments:
            raise UserError(self.env._("There is no document left to delete."))
        attachments.unlink()
        return True
