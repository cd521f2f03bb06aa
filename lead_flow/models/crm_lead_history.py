import logging
import secrets

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)

ARCHIVE_PREFIX_KEY = "lead_flow.archive_alias_prefix"
ARCHIVE_PREFIX_DEFAULT = "lead-archive"
# Who may file mail through a lead's archive address (like mail.alias's alias_contact).
ARCHIVE_CONTACT_KEY = "lead_flow.archive_contact"
ARCHIVE_CONTACTS = [
    ("employees", "Internal users only"),
    ("followers", "Internal users and the lead's contacts and followers"),
    ("everyone", "Everyone"),
]
ARCHIVE_CONTACT_DEFAULT = "followers"
ARCHIVE_TOKEN_BATCH = 10000


def new_archive_token():
    """96 random bits as 24 lowercase hex digits: e-mail local parts are case-insensitive."""
    return secrets.token_hex(12)


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    # Tracked so that tag changes reach the chatter, and from there the history.
    tag_ids = fields.Many2many(tracking=True)
    lead_flow_reference = fields.Char(
        "Reference", compute="_compute_lead_flow_reference", help="Lead number (its id)."
    )
    # The secret part of the archive address: random, so that knowing a lead's id (or
    # another lead's address) gives no way in. Set at create, never copied nor edited.
    lead_flow_archive_token = fields.Char("Archive token", copy=False, readonly=True)
    lead_flow_archive_email = fields.Char(
        "Archive address",
        compute="_compute_lead_flow_archive_email",
        help="Forward an e-mail to this address to file it in this lead's history "
        "(who may do so: Settings > CRM > Lead Flow).",
    )
    lead_flow_tiles = fields.Html(
        "Log activity", compute="_compute_lead_flow_tiles", sanitize=False
    )

    def _compute_lead_flow_reference(self):
        for lead in self:
            lead.lead_flow_reference = str(lead.id) if lead.id else False

    @api.model
    def _lead_flow_archive_prefix(self):
        ICP = self.env["ir.config_parameter"].sudo()
        return (ICP.get_param(ARCHIVE_PREFIX_KEY) or ARCHIVE_PREFIX_DEFAULT).strip().lower()

    _sql_constraints = [
        (
            "lead_flow_archive_token_unique",
            "UNIQUE(lead_flow_archive_token)",
            "Two leads cannot share an archive address.",
        )
    ]

    def init(self):
        res = super().init()
        self._lead_flow_fill_archive_tokens()
        return res

    @api.model
    def _lead_flow_fill_archive_tokens(self):
        """Give every lead without one an archive token (existing leads on install or
        upgrade, leads inserted in SQL): batched UPDATEs, not one ORM write per lead."""
        cr = self.env.cr
        cr.execute("SELECT id FROM crm_lead WHERE lead_flow_archive_token IS NULL ORDER BY id")
        ids = [row[0] for row in cr.fetchall()]
        for start in range(0, len(ids), ARCHIVE_TOKEN_BATCH):
            batch = ids[start : start + ARCHIVE_TOKEN_BATCH]
            cr.execute(
                "UPDATE crm_lead l SET lead_flow_archive_token = t.token"
                " FROM unnest(%s::int[], %s::varchar[]) AS t(id, token) WHERE l.id = t.id",
                [batch, [new_archive_token() for _id in batch]],
            )
        if ids:
            _logger.info("Lead Flow: archive tokens given to %s lead(s)", len(ids))
            self.invalidate_model(["lead_flow_archive_token"])

    @api.model_create_multi
    def create(self, vals_list):
        # Copies, not the caller's dicts: create([vals] * 4) passes one dict four times
        # (Odoo's own tracking-duration tests do), which would get one token for all.
        vals_list = [
            vals
            if self.env.su and vals.get("lead_flow_archive_token")
            else {**vals, "lead_flow_archive_token": new_archive_token()}
            for vals in vals_list
        ]
        return super().create(vals_list)

    def write(self, vals):
        if "lead_flow_archive_token" in vals and not self.env.su:
            raise AccessError(self.env._("A lead's archive address cannot be changed."))
        return super().write(vals)

    @api.depends("lead_flow_archive_token", "company_id")
    def _compute_lead_flow_archive_email(self):
        prefix = self._lead_flow_archive_prefix()
        # Leads inserted in SQL (bulk loads) get their token when first shown.
        sudo_self = self.sudo()
        missing = sudo_self.filtered(lambda lead: lead.id and not lead.lead_flow_archive_token)
        for lead in missing:
            lead.lead_flow_archive_token = new_archive_token()
        for lead, lead_sudo in zip(self, sudo_self, strict=True):
            domain = (lead.company_id or self.env.company).alias_domain_id.name
            token = lead_sudo.lead_flow_archive_token
            lead.lead_flow_archive_email = (
                # token: a saved lead (or its form while edited), never an unsaved one
                f"{prefix}+{token}@{domain}" if token and domain else False
            )

    @api.model
    def _lead_flow_archive_contact(self):
        """The archive address's contact policy (a key of ARCHIVE_CONTACTS)."""
        policy = self.env["ir.config_parameter"].sudo().get_param(ARCHIVE_CONTACT_KEY)
        return policy if policy in dict(ARCHIVE_CONTACTS) else ARCHIVE_CONTACT_DEFAULT

    def _lead_flow_archive_sender_allowed(self, email_from):
        """Whether the sender ``email_from`` may file mail in this lead's history under the
        archive contact policy. Internal users: an active internal (non-share) user has this
        e-mail. Contacts and followers: the lead's e-mail, its customer and the contacts of
        the customer's company (as Odoo's portal shares a company's documents with them),
        its followers."""
        self.ensure_one()
        policy = self._lead_flow_archive_contact()
        if policy == "everyone":
            return True
        email = email_normalize(email_from)
        if not email:
            return False
        # Active users and contacts only (routing reads leads with active_test off).
        lead = self.sudo().with_context(active_test=True)
        Users, Partners = lead.env["res.users"], lead.env["res.partner"]
        if Users.search_count([("email_normalized", "=", email), ("share", "=", False)], limit=1):
            return True
        if policy != "followers":
            return False
        if email in (lead.email_normalized, lead.partner_id.email_normalized):
            return True
        if email in lead.message_partner_ids.mapped("email_normalized"):
            return True
        company = lead.partner_id.commercial_partner_id
        return bool(
            company
            and Partners.search_count(
                [("id", "child_of", company.id), ("email_normalized", "=", email)], limit=1
            )
        )

    # ------------------------------------------------------------------
    # Log activity tiles
    # ------------------------------------------------------------------
    def _lead_flow_tile_types(self):
        """Manual activity types offered on this lead (team purpose respected)."""
        self.ensure_one()
        domain = [("automatic", "=", False)]
        purpose = self.team_id.lead_flow_purpose
        if purpose:
            domain.append(("team_purpose", "in", ["both", purpose]))
        return self.env["lead.flow.log.type"].search(domain)

    def lead_flow_activity_counts(self):
        """{type code: number of non-undone entries} for each tile of this lead."""
        self.ensure_one()
        return self._lead_flow_counts_by_code(self._lead_flow_tile_types())

    def _lead_flow_counts_by_code(self, types):
        self.ensure_one()
        counts = dict(
            self.env["lead.flow.log"]._read_group(
                [("lead_id", "=", self.id), ("undone", "=", False), ("type_id", "in", types.ids)],
                ["type_id"],
                ["__count"],
            )
        )
        return {log_type.code: counts.get(log_type, 0) for log_type in types}

    @api.depends("lead_flow_log_ids.undone", "team_id")
    def _compute_lead_flow_tiles(self):
        for lead in self:
            if not lead.id:
                lead.lead_flow_tiles = False
                continue
            types = lead._lead_flow_tile_types()
            counts = lead._lead_flow_counts_by_code(types)
            tiles = Markup("").join(
                Markup(
                    '<span class="badge rounded-pill text-bg-light border me-2 mb-1 p-2">'
                    '<i class="fa %s me-1"></i>%s <b>%s</b></span>'
                )
                % (log_type.icon or "fa-comment", log_type.name, counts.get(log_type.code, 0))
                for log_type in types
            )
            lead.lead_flow_tiles = Markup('<div class="d-flex flex-wrap">%s</div>') % tiles

    # ------------------------------------------------------------------
    # Automatic entries from the chatter
    # ------------------------------------------------------------------
    def _message_create(self, values_list):
        messages = super()._message_create(values_list)
        if self.env.context.get("lead_flow_no_auto_log"):
            return messages
        # Filtered on the values, not on the new records: reading them costs a query each
        # (tracking posts them one by one). Private notifications (e.g. "you have been
        # assigned") are not history.
        lead_messages = messages.browse(
            [
                message.id
                for message, values in zip(messages, values_list, strict=True)
                if values.get("model") == "crm.lead"
                and values.get("res_id")
                and values.get("message_type") != "user_notification"
            ]
        )
        if lead_messages:
            self.env["lead.flow.log"]._lead_flow_log_messages(lead_messages)
        return messages

    def _track_finalize(self):
        # Tracking posts one message per changed lead (a mass assignment: hundreds): their
        # automatic entries are written together at the end.
        with self.env["lead.flow.log"]._lead_flow_batched_auto_log():
            return super()._track_finalize()

    @api.model
    def _lead_flow_log_attachments(self, attachments, removed=False):
        """One automatic document entry per attachment added to / removed from a lead."""
        leads = self.browse(set(attachments.mapped("res_id"))).exists()
        lead_by_id = {lead.id: lead for lead in leads}
        entries = []
        for attachment in attachments.filtered(lambda a: a.res_id in lead_by_id):
            if removed:
                body = self.env._("Document removed: %s", attachment.name)
            else:
                body = self.env._("Document added: %s", attachment.name)
            attachment_id = False if removed else attachment.id
            entries.append((lead_by_id[attachment.res_id], "attachment", body, None, attachment_id))
        self.env["lead.flow.log"]._lead_flow_create_automatic(entries)

    def lead_flow_history_summary(self):
        """Plain values of the History tab (for RPC clients and the origins list)."""
        self.ensure_one()
        return {
            "reference": self.lead_flow_reference,
            "assignee": self.user_id.name or False,
            "language": self.lang_id.name or False,
            "stage": self.stage_id.name or False,
            "source": self.source_id.name or False,
            "campaign": self.campaign_id.name or False,
            "created_at": fields.Datetime.to_string(self.create_date),
        }

    def action_lead_flow_done_activities(self):
        """Done activities of this lead (Odoo keeps them archived) with a Reopen button."""
        self.ensure_one()
        view = self.env.ref("lead_flow.mail_activity_view_list_lead_flow_done")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Done activities"),
            "res_model": "mail.activity",
            "view_mode": "list",
            "views": [(view.id, "list")],
            "domain": [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", self.id),
                ("active", "=", False),
            ],
            "context": {"active_test": False},
        }

    def _merge_dependences(self, opportunities):
        """Merged leads keep their Lead Flow history: Odoo moves their chatter to the lead
        that stays, and their entries would otherwise be deleted with them."""
        res = super()._merge_dependences(opportunities)
        entries = self.env["lead.flow.log"].sudo().search([("lead_id", "in", opportunities.ids)])
        if entries:
            entries.write({"lead_id": self.id})
            self._lead_flow_recompute_last_contact()
            worked = entries.filtered(lambda entry: entry.origin == "manual" and not entry.undone)
            if worked and self.lead_flow_state == "none":
                self.sudo().lead_flow_state = "in_progress"
        return res

    def _lead_flow_recompute_last_contact(self):
        """Last contact / outcome follow the latest remaining manual entry."""
        for lead in self.sudo():
            latest = (
                self.env["lead.flow.log"]
                .sudo()
                .search(
                    [("lead_id", "=", lead.id), ("origin", "=", "manual"), ("undone", "=", False)],
                    order="date desc, id desc",
                    limit=1,
                )
            )
            lead.write(
                {
                    "lead_flow_last_contact_at": latest.date or False,
                    "lead_flow_outcome": latest.outcome or False,
                }
            )

    @api.model
    def _lead_flow_user_allowed(self, key):
        """Whether the current user belongs to a group listed in setting ``key``."""
        if self.env.su or self.env.user.has_group("base.group_system"):
            return True
        return self._lead_flow_user_in_setting_groups(key)
