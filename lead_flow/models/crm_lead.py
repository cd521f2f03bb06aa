from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import plaintext2html

from . import queue_index
from .config_param import get_id_list
from .crm_lead_routing import ROUTING_FIELDS
from .lead_flow_log import OUTCOMES

LEAD_FLOW_STATES = [("none", "None"), ("in_progress", "In progress"), ("done", "Completed")]
OPERATOR_GROUP = "lead_flow.group_lead_flow_operator"
TEAM_LEADER_GROUP = "lead_flow.group_lead_flow_team_leader"
MANAGER_GROUP = "lead_flow.group_lead_flow_manager"


RESERVATION_FIELDS = ("lead_flow_reserved_user_id", "lead_flow_reserved_at")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    lead_flow_state = fields.Selection(
        LEAD_FLOW_STATES,
        string="Lead Flow Status",
        default="none",
        required=True,
        index=True,
        copy=False,
        help="None: never worked in Lead Flow. In progress: at least one note logged. "
        "Completed: a note closed the lead.",
    )
    # Not indexed on crm_lead: a claim then updates the lead in place (HOT). Next lead and
    # expiry find reservations through lead_flow_queue_index (see models/queue_index.py).
    lead_flow_reserved_user_id = fields.Many2one(
        "res.users", string="Reserved by", copy=False, readonly=True
    )
    lead_flow_reserved_at = fields.Datetime("Reserved on", copy=False, readonly=True)
    # Open leads reserved for the current user, searched through lead_flow_queue_index:
    # crm_lead has no index on the reservation (claims update it in place).
    lead_flow_reserved_by_me = fields.Boolean(
        "Reserved by me",
        compute="_compute_lead_flow_reserved_by_me",
        search="_search_lead_flow_reserved_by_me",
    )
    lead_flow_last_contact_at = fields.Datetime(
        "Last contact", copy=False, readonly=True, help="Date of the last operator note."
    )
    lead_flow_outcome = fields.Selection(OUTCOMES, string="Last outcome", copy=False, readonly=True)
    lead_flow_log_ids = fields.One2many("lead.flow.log", "lead_id", string="Lead Flow history")
    lead_flow_log_count = fields.Integer(compute="_compute_lead_flow_log_count")

    def _compute_lead_flow_log_count(self):
        counts = dict(
            self.env["lead.flow.log"]._read_group(
                [("lead_id", "in", self.ids), ("undone", "=", False)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.lead_flow_log_count = counts.get(lead, 0)

    # ------------------------------------------------------------------
    # Settings helpers
    # ------------------------------------------------------------------
    @api.model
    def _lead_flow_reservation_hours(self):
        """Hours after which a reservation without a new note expires (0: never)."""
        return self._lead_flow_int_param("lead_flow.reservation_hours")

    @api.model
    def _lead_flow_int_param(self, key):
        """A whole-number setting where 0 means "no limit": absent, negative or not a
        number reads as 0."""
        raw = self.env["ir.config_parameter"].sudo().get_param(key) or "0"
        try:
            return max(int(raw), 0)
        except ValueError:
            return 0

    @api.model
    def _lead_flow_reservation_cutoff(self, now=None, hours=None):
        """Reservations taken before this moment have expired (None: they never expire).
        ``hours`` defaults to the setting, ``now`` to the current time."""
        if hours is None:
            hours = self._lead_flow_reservation_hours()
        return (now or fields.Datetime.now()) - timedelta(hours=hours) if hours > 0 else None

    @api.model
    def _lead_flow_user_reserves(self):
        """Whether a first note by the current user reserves the lead (Settings > roles)."""
        return self._lead_flow_user_in_setting_groups("lead_flow.reserve_group_ids")

    @api.model
    def _lead_flow_user_in_setting_groups(self, key):
        """Whether the current user belongs to one of the groups listed in setting ``key``."""
        # The user's groups from Odoo's cache, not a query on every note.
        return bool(set(get_id_list(self.env, key)) & set(self.env.user._get_group_ids()))

    @api.model
    def _lead_flow_check_operator(self, claiming=False):
        if not self.env.su and not self.env.user.has_group(OPERATOR_GROUP):
            if claiming:
                raise AccessError(
                    self.env._("Only Lead Flow operators can take leads from the queue.")
                )
            raise AccessError(self.env._("Only Lead Flow operators can log notes on leads."))

    @api.model
    def _lead_flow_user_manages_team(self, team):
        """Whether the current user manages the Lead Flow work of ``team``: a Lead Flow
        manager, or its team leader (``crm.team.user_id``) in the Team Leader group."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return True
        return bool(
            team
            and team.sudo().user_id == self.env.user
            and self.env.user.has_group(TEAM_LEADER_GROUP)
        )

    def _compute_lead_flow_reserved_by_me(self):
        for lead in self:
            lead.lead_flow_reserved_by_me = bool(
                lead.lead_flow_reserved_user_id == self.env.user
                and lead.active
                and lead.lead_flow_state != "done"
            )

    def _search_lead_flow_reserved_by_me(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on Reserved by me."))
        # The trigger fills lead_flow_queue_index from crm_lead rows: write pending changes.
        self.flush_model(queue_index.WATCHED_FIELDS)
        mine = [
            ("id", "in", queue_index.reserved_by_sql(self.env.uid)),
            ("lead_flow_reserved_user_id", "=", self.env.uid),  # crm_lead has the last word
        ]
        return mine if (operator == "=") == value else ["!", *expression.AND([mine])]

    def write(self, vals):
        # A reservation is what keeps two operators off one lead: it changes only through
        # the methods that check who may take or free it, never by editing the lead.
        if not self.env.su and any(name in vals for name in RESERVATION_FIELDS):
            raise AccessError(
                self.env._(
                    "Reservations change through Next lead, a note, Release or Reassign, "
                    "not by editing the lead."
                )
            )
        if not self.env.su and any(name in vals for name in ROUTING_FIELDS):
            raise AccessError(
                self.env._(
                    "Callbacks, retries, skips and do-not-call change through their own "
                    "actions, not by editing the lead."
                )
            )
        res = super().write(vals)
        if "company_id" in vals:  # a crm_lead trigger moves its entries and returns along
            self.flush_recordset(["company_id"])
            self.env["lead.flow.log"].invalidate_model(["company_id"])
            self.env["lead.flow.return"].invalidate_model(["company_id"])
        return res

    # ------------------------------------------------------------------
    # Reservation
    # ------------------------------------------------------------------
    def _lead_flow_lock_reservation(self, now):
        """Lock the lead row; return the reservation values the note must write (taken at
        ``now``) and whether the note takes the reservation (the lead was not the
        caller's: free, or an expired reservation).

        The row lock makes concurrent first notes on one lead take turns: the later one
        sees the reservation of the earlier (after Odoo's usual retry on serialization
        failure) and is refused, so exactly one operator wins.
        """
        self.ensure_one()
        self.flush_recordset(["lead_flow_reserved_user_id", "lead_flow_reserved_at"])
        self.env.cr.execute(
            "SELECT lead_flow_reserved_user_id, lead_flow_reserved_at"
            " FROM crm_lead WHERE id = %s FOR UPDATE",
            [self.id],
            # Losing the race raises a serialization failure that Odoo's request layer
            # retries; it is expected, not a "bad query" worth an error line.
            log_exceptions=False,
        )
        holder_id, reserved_at = self.env.cr.fetchone()
        cutoff = self._lead_flow_reservation_cutoff()
        expired = bool(holder_id and cutoff and reserved_at and reserved_at < cutoff)
        if holder_id and holder_id != self.env.uid and not expired:
            holder = self.env["res.users"].sudo().browse(holder_id)
            raise UserError(
                self.env._(
                    "%(lead)s is reserved by %(holder)s. Ask %(holder)s or a Lead Flow "
                    "manager to release it before logging on it.",
                    lead=self.display_name,
                    holder=holder.name,
                )
            )
        if self._lead_flow_user_reserves():
            vals = {"lead_flow_reserved_user_id": self.env.uid, "lead_flow_reserved_at": now}
            return vals, holder_id != self.env.uid
        if expired:
            return {"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False}, False
        return {}, False

    def lead_flow_release(self):
        """Free the reservation of these leads (holder, team leader or manager only)."""
        for lead in self:
            holder = lead.lead_flow_reserved_user_id
            if (
                holder
                and holder != self.env.user
                and not self._lead_flow_user_manages_team(lead.team_id)
            ):
                raise UserError(
                    self.env._(
                        "%(lead)s is reserved by %(holder)s: only they, the leader of its "
                        "sales team or a Lead Flow manager can release it.",
                        lead=lead.display_name,
                        holder=holder.name,
                    )
                )
        self.filtered("lead_flow_reserved_user_id").sudo().write(
            {"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False}
        )
        return True

    def lead_flow_reassign(self, user_id):
        """Reserve these leads for another operator (team leader of each lead's team or
        manager only)."""
        for lead in self:
            if not self._lead_flow_user_manages_team(lead.team_id):
                raise UserError(
                    self.env._(
                        "Only the leader of its sales team or a Lead Flow manager can "
                        "reassign the reservation of %(lead)s.",
                        lead=lead.display_name,
                    )
                )
        user = self.env["res.users"].browse(int(user_id)).exists()
        if not user or not user.has_group(OPERATOR_GROUP):
            raise UserError(self.env._("Leads can only be reserved for Lead Flow operators."))
        # One query for all the leads, in the target's own companies: the caller's company
        # switcher is not theirs.
        as_target = self.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)
        hidden = self - as_target._filtered_access("read")
        if hidden:
            raise UserError(
                self.env._(
                    "%(user)s cannot see %(lead)s (their access rights or sales team), so "
                    "it cannot be reserved for them.",
                    user=user.name,
                    lead=hidden[0].display_name,
                )
            )
        self.sudo().write(
            {"lead_flow_reserved_user_id": user.id, "lead_flow_reserved_at": fields.Datetime.now()}
        )
        return True

    # ------------------------------------------------------------------
    # Notes
    # ------------------------------------------------------------------
    def _lead_flow_resolve_note_inputs(self, body, template_id, outcome, type_id):
        """Validate everything a note needs before anything is written."""
        text = (body or "").strip()
        if not text:
            raise ValidationError(
                self.env._("The note is empty: write what happened before logging it.")
            )
        template = self.env["lead.flow.note.template"].sudo()
        if template_id:
            template = template.with_context(active_test=False).browse(int(template_id)).exists()
            if not template:
                raise ValidationError(
                    self.env._("The predefined note you picked no longer exists.")
                )
            template._lead_flow_check_usable(self)
        valid_outcomes = dict(OUTCOMES)
        if outcome and outcome not in valid_outcomes:
            raise ValidationError(
                self.env._(
                    'Unknown outcome "%(outcome)s". Use one of: %(allowed)s.',
                    outcome=outcome,
                    allowed=", ".join(valid_outcomes),
                )
            )
        outcome = outcome or template.outcome or "unclassified"
        log_type = self.env["lead.flow.log.type"]
        if type_id:
            log_type = log_type.browse(int(type_id)).exists()
            if not log_type or not log_type.active:
                raise ValidationError(
                    self.env._("That activity type is archived or no longer exists.")
                )
            if log_type.automatic:
                raise ValidationError(
                    self.env._("%s entries are logged automatically.", log_type.name)
                )
        else:
            # Our own data, looked up in Odoo's cache (env.ref would query it again).
            log_type = log_type.browse(
                self.env["ir.model.data"]._xmlid_to_res_id("lead_flow.log_type_call")
            )
        return text, template, outcome, log_type

    def lead_flow_log_note(
        self, body, template_id=False, outcome=False, close=False, type_id=False, partner_ids=False
    ):
        """Log an operator note on this lead; return the id of the new ``lead.flow.log``.

        Posts the note in the chatter, links the log entry to that message, adds the
        predefined note's tags to the lead (a normal write, so automation rules on tags
        fire), reserves the lead when the caller's role reserves, and moves the Lead Flow
        status forward. Everything happens in the caller's transaction: on any error
        nothing is written. ``partner_ids`` (tagged users' partners) get an inbox notification.
        """
        self.ensure_one()
        self._lead_flow_check_operator()
        self.check_access("write")
        text, template, outcome, log_type = self._lead_flow_resolve_note_inputs(
            body, template_id, outcome, type_id
        )
        close = bool(close or template.closes_lead)
        now = fields.Datetime.now()
        lead_vals, takes_reservation = self._lead_flow_lock_reservation(now)

        message = self._lead_flow_post_note(
            self._lead_flow_note_html(log_type, text, template, outcome, close), partner_ids
        )
        state = "done" if close or self.lead_flow_state == "done" else "in_progress"
        reservation = {
            name: lead_vals.pop(name) for name in RESERVATION_FIELDS if name in lead_vals
        }
        if state == "done" and (self.lead_flow_reserved_user_id or reservation):
            # Nobody works a completed lead: it keeps no reservation, so a colleague's
            # later courtesy note needs no release and does not reserve it again.
            reservation = dict.fromkeys(RESERVATION_FIELDS, False)
            takes_reservation = False
        # Checked above: operator, write access to the lead, inputs, reservation.
        Log = self.env["lead.flow.log"].sudo()
        log = Log.create(
            {
                "lead_id": self.id,
                "user_id": self.env.uid,
                "date": now,
                "type_id": log_type.id,
                "body": text,
                "origin": "manual",
                "outcome": outcome,
                "outcome_source": "manual" if outcome != "unclassified" else False,
                "template_id": template.id,
                "closes_lead": close,
                "takes_reservation": takes_reservation,
                "message_id": message.id,
                "team_id": self.team_id.id,
                "company_id": self.company_id.id,
            }
        )
        lead_vals.update(
            reservation,  # checked above, under the row lock
            lead_flow_last_contact_at=now,
            lead_flow_outcome=outcome,
            lead_flow_state=state,
        )
        if template.tag_ids:
            lead_vals["tag_ids"] = [Command.link(tag.id) for tag in template.tag_ids]
        # One write of all the note changes on the lead (its own fields, the reservation,
        # what retry rules and callbacks add): one UPDATE, one round of automation rules.
        # As superuser, everything being checked above; the uid stays the operator's, so
        # the lead's last editor and the tracking of its tags are theirs.
        self.sudo().write(self._lead_flow_note_lead_vals(log, lead_vals))
        return log.id

    def _lead_flow_note_lead_vals(self, log, vals):
        """The values that the note ``log`` writes on this lead: ``vals``, its own, plus
        what the other features add (retry rules, callbacks)."""
        return vals

    def _lead_flow_note_html(self, log_type, text, template, outcome, close):
        header = [log_type.name]
        if template:
            header.append(template.name)
        if outcome != "unclassified":
            header.append(
                dict(self.env["lead.flow.log"]._fields["outcome"]._description_selection(self.env))[
                    outcome
                ]
            )
        if close:
            header.append(self.env._("Lead completed"))
        return Markup("<p><b>%s</b></p>%s") % (" · ".join(header), plaintext2html(text))

    def action_lead_flow_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("lead_flow.action_lead_flow_log")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action
