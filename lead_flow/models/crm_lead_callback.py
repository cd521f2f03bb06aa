from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from . import queue_index

# A callback further away than this is a typing mistake, not a plan.
CALLBACK_HORIZON = timedelta(days=365)


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _lead_flow_check_routing_access(self):
        """Routing actions change the lead: operator, write access, not a colleague's."""
        self._lead_flow_check_operator()
        self.check_access("write")
        for lead in self:
            holder = lead.lead_flow_reserved_user_id
            expired = lead.lead_flow_reserved_at and (
                (cutoff := self._lead_flow_reservation_cutoff())
                and lead.lead_flow_reserved_at < cutoff
            )
            if holder and holder != self.env.user and not expired:
                raise UserError(
                    self.env._(
                        "%(lead)s is reserved by %(holder)s. Ask %(holder)s or a Lead Flow "
                        "manager to release it first.",
                        lead=lead.display_name,
                        holder=holder.name,
                    )
                )

    def _lead_flow_routing_write(self, vals):
        """Write routing columns (checked by the caller), freeing the caller's reservation:
        the lead leaves their hands."""
        for lead in self:
            values = dict(vals)
            if lead.lead_flow_reserved_user_id == self.env.user:
                values.update(lead_flow_reserved_user_id=False, lead_flow_reserved_at=False)
            lead.sudo().write(values)

    # ------------------------------------------------------------------
    # Callbacks
    # ------------------------------------------------------------------
    def lead_flow_schedule_callback(self, when, personal=True):
        """Call these leads back at ``when``: they leave the queue until then, then come
        first, to the caller only if ``personal`` (to anyone after the grace period)."""
        when = fields.Datetime.to_datetime(when)
        now = fields.Datetime.now()
        if not when or when <= now:
            raise ValidationError(self.env._("A callback must be in the future."))
        if when > now + CALLBACK_HORIZON:
            raise ValidationError(self.env._("A callback must be within a year."))
        self._lead_flow_check_routing_access()
        user = self.env.user if personal else self.env["res.users"]
        self._lead_flow_routing_write(
            {"lead_flow_callback_at": when, "lead_flow_callback_user_id": user.id}
        )
        for lead in self:
            lead._lead_flow_post_routing_note(
                self.env._(
                    "Callback on %(when)s (%(whom)s).",
                    when=fields.Datetime.to_string(fields.Datetime.context_timestamp(self, when))[
                        :16
                    ],
                    whom=user.name if personal else self.env._("anyone"),
                )
            )
        return True

    def _lead_flow_note_lead_vals(self, log, vals):
        vals = super()._lead_flow_note_lead_vals(log, vals)
        # A note answers the lead's callback (the note dialog schedules the next one after).
        if self.sudo().lead_flow_callback_at:
            vals.update(lead_flow_callback_at=False, lead_flow_callback_user_id=False)
        return vals

    # ------------------------------------------------------------------
    # Do not call
    # ------------------------------------------------------------------
    def _lead_flow_phone_numbers(self):
        """Every number of these leads' contacts, sanitized as Odoo's blacklist keeps them."""
        numbers = set()
        for lead in self:
            for record in (lead, lead.partner_id):
                for fname in ("phone", "mobile"):
                    if record and record[fname]:
                        sanitized = record._phone_format(fname=fname, force_format="E164")
                        numbers.add(sanitized or record[fname])
            if lead.phone_sanitized:
                numbers.add(lead.phone_sanitized)
        return sorted(numbers)

    def lead_flow_do_not_call(self, reason):
        """Block every number of these leads' contacts on Odoo's phone blacklist (so for
        every queue and mass SMS too), saying why."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Say why this contact must not be called."))
        self._lead_flow_check_routing_access()
        numbers = self._lead_flow_phone_numbers()
        if not numbers:
            raise UserError(self.env._("This lead has no phone number to block."))
        message = self.env._(
            "Do not call (%(user)s): %(reason)s", user=self.env.user.name, reason=reason
        )
        self.env["phone.blacklist"].sudo()._add(numbers, message=message)
        self._lead_flow_routing_write({})
        for lead in self:
            lead._lead_flow_post_routing_note(
                self.env._(
                    "Do not call: %(reason)s (%(numbers)s)",
                    reason=reason,
                    numbers=", ".join(numbers),
                )
            )
        return True

    def _lead_flow_post_routing_note(self, text):
        self.ensure_one()
        self.sudo().message_post(
            body=text,
            subtype_xmlid="mail.mt_note",
            message_type="comment",
            author_id=self.env.user.partner_id.id,
        )

    @api.model
    def _lead_flow_my_callbacks_domain(self):
        """Open leads I am to call back (through the queue table's index)."""
        self.flush_model(queue_index.WATCHED_FIELDS)  # the trigger copies them there
        return [
            ("id", "in", queue_index.callbacks_of_sql(self.env.uid)),
            ("lead_flow_callback_user_id", "=", self.env.uid),  # crm_lead has the last word
        ]
