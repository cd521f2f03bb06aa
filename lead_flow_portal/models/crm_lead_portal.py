import csv
import io

from odoo import Command, models
from odoo.addons.lead_flow.models.crm_lead_sheet import FORWARD_TEMPLATE
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, plaintext2html

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
EXPORT_ID = "lead_flow.ir_exports_lead_sheet"


class CrmLead(models.Model):
    """What a buyer does on a lead from the portal.

    Buyers only read leads (security/): each method below checks that the caller is an
    enabled buyer user who reads this lead through the record rules, then does the one
    thing it is for as superuser, with the fields it writes fixed here.
    """

    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _lead_flow_portal_check(self):
        """This lead as superuser with the caller's buyer in context, when the caller is
        an enabled buyer user who reads it; else AccessError."""
        self.ensure_one()
        buyer = self.env.user._lead_flow_buyer()
        if not buyer:
            raise AccessError(self.env._("Only the users of a lead buyer work leads here."))
        self.check_access("read")
        return self.sudo().with_context(lead_flow_portal_buyer_id=buyer.id)

    def lead_flow_portal_assign(self, user_id):
        """A buyer admin gives this lead to one of the buyer's users (who may be e-mailed)."""
        lead = self._lead_flow_portal_check()
        if not self.env.user.lead_flow_buyer_admin:
            raise AccessError(self.env._("Only a buyer's admin assigns leads."))
        user = self._lead_flow_buyer_user(lead.lead_flow_buyer_id, user_id)
        if lead.lead_flow_buyer_user_id != user:
            lead.lead_flow_buyer_user_id = user
            lead._lead_flow_notify_buyer_users()
        return True

    def lead_flow_portal_return(self, reason_id, note=False):
        """Return this lead (Lead Flow's return, under the buyer's window and rate)."""
        lead = self._lead_flow_portal_check()
        lead._lead_flow_check_buyer_rate(lead.lead_flow_buyer_id)
        return lead.lead_flow_request_return(reason_id, note)

    def lead_flow_portal_appointment(self, user_id, start, stop, name, description=False):
        """Book an appointment on this lead for a user of the buyer."""
        lead = self._lead_flow_portal_check()
        return lead.lead_flow_create_appointment(user_id, start, stop, name, description)

    def lead_flow_portal_email(self, body, subject=False):
        """E-mail the lead's contact; the message lands in the chatter and the history."""
        lead = self._lead_flow_portal_check()
        body = (body or "").strip()
        if not body:
            raise UserError(self.env._("Write the message."))
        partner = lead.partner_id
        if not partner:
            email = email_normalize(lead.email_from or "")
            if not email:
                raise UserError(self.env._("This lead has no e-mail address."))
            partner = lead._mail_find_partner_from_emails([lead.email_from], force_create=True)[0]
        message = lead.with_context(mail_post_autofollow=False).message_post(
            body=plaintext2html(body),
            subject=(subject or "").strip() or lead.name,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=partner.ids,
            author_id=self.env.user.partner_id.id,
        )
        return message.id

    def lead_flow_portal_forward(self, emails, note=False):
        """Forward this lead with Lead Flow's Forward template to ``emails`` (a string of
        addresses), as an internal note: only they are e-mailed."""
        lead = self._lead_flow_portal_check()
        addresses = [email_normalize(part) for part in (emails or "").replace(";", ",").split(",")]
        if not addresses or not all(addresses):
            raise UserError(self.env._("Give one or more valid e-mail addresses."))
        found = lead._mail_find_partner_from_emails(addresses, force_create=True)
        partners = self.env["res.partner"].browse([partner.id for partner in found if partner])
        template = self.env.ref(FORWARD_TEMPLATE)
        composer = (
            self.env["mail.compose.message"]
            .sudo()
            .with_context(mail_post_autofollow=False)
            .create(
                {
                    "composition_mode": "comment",
                    "model": "crm.lead",
                    "res_ids": lead.ids,
                    "template_id": template.id,
                    "subtype_id": self.env.ref("mail.mt_note").id,
                    "partner_ids": [Command.set(partners.ids)],
                    "author_id": self.env.user.partner_id.id,
                }
            )
        )
        if note and note.strip():
            composer.body = plaintext2html(note.strip()) + composer.body
        composer._action_send_mail()
        return True

    def lead_flow_portal_attach(self, filename, raw, mimetype=False):
        """Attach a file to this lead; return the attachment id."""
        lead = self._lead_flow_portal_check()
        if not raw:
            raise UserError(self.env._("Choose a file."))
        if len(raw) > MAX_UPLOAD_BYTES:
            raise UserError(self.env._("Files are limited to 25 MB."))
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": (filename or "file").strip(),
                    "raw": raw,
                    "mimetype": mimetype or False,
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                }
            )
        )
        return attachment.id

    def _lead_flow_portal_attachments(self):
        lead = self._lead_flow_portal_check()
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("res_field", "=", False),
                ],
                order="create_date desc, id desc",
            )
        )

    def _lead_flow_portal_appointments(self):
        lead = self._lead_flow_portal_check()
        return (
            self.env["calendar.event"]
            .sudo()
            .search([("opportunity_id", "=", lead.id)], order="start desc")
        )

    def _lead_flow_portal_history(self, limit=50):
        """The lead's history entries buyers may see, read as the caller: the record rules
        keep the types not marked Visible to buyers out."""
        self._lead_flow_portal_check()
        return self.env["lead.flow.log"].search(
            [("lead_id", "=", self.id), ("undone", "=", False)],
            order="date desc, id desc",
            limit=limit,
        )

    def _lead_flow_portal_csv(self):
        """The lead as CSV, with the columns of Lead Flow's *Lead sheet* export."""
        lead = self._lead_flow_portal_check()
        export = self.env.ref(EXPORT_ID, raise_if_not_found=False)
        names = export.sudo().export_fields.mapped("name") if export else ["name", "email_from"]
        labels = lead.fields_get([name.split("/")[0] for name in names], ["string"])
        header = [labels.get(name.split("/")[0], {}).get("string", name) for name in names]
        rows = lead.export_data(names)["datas"]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is False else value for value in row])
        return out.getvalue().encode("utf-8-sig")
