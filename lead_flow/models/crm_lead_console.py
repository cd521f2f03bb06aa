"""The operator console (static/src/console): what it shows of a lead, and Log & next.

The console costs one round trip per lead: ``lead_flow_log_and_next`` logs the note,
schedules the callback, claims the next lead and returns everything the console shows of
it, in the caller's transaction.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, html2plaintext

from .crm_lead_callback import CALLBACK_HORIZON
from .crm_lead_skip import SKIP_GROUPS_KEY
from .lead_flow_log import OUTCOMES

CONSOLE_HISTORY_LIMIT = 6
CONSOLE_MESSAGE_LIMIT = 4
# The lead's and its contact's fields the console shows (_lead_flow_console_lead).
CONSOLE_LEAD_FIELDS = [
    "name",
    "partner_name",
    "partner_id",
    "contact_name",
    "function",
    "phone",
    "mobile",
    "email_from",
    "city",
    "country_id",
    "state_id",
    "company_id",
    "tag_ids",
    "lead_flow_state",
    "lead_flow_outcome",
    "lead_flow_reserved_user_id",
    "lead_flow_reserved_at",
    "lead_flow_callback_at",
    "lead_flow_attempt_count",
    "description",
]
CONSOLE_PARTNER_FIELDS = ["name", "commercial_company_name", "phone", "mobile"]
# The lead's fields that a note reads, besides its tracked ones (_lead_flow_note_lead).
NOTE_LEAD_FIELDS = [
    "name",
    "company_id",
    "lead_flow_state",
    "lead_flow_reserved_user_id",
    "lead_flow_reserved_at",
    "lead_flow_attempt_count",
    "lead_flow_retry_at",
    "lead_flow_callback_at",
]


def _field_columns(model, alias, fnames, query):
    """The SELECT columns of ``model``'s fields ``fnames`` on table ``alias`` of ``query``,
    named after the fields."""
    return [
        SQL("%s AS %s", model._field_to_sql(alias, fname, query), SQL.identifier(fname))
        for fname in fnames
    ]


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # What the console shows
    # ------------------------------------------------------------------
    @api.model
    def lead_flow_console_data(self, lead_id=False, queue_id=False, setup_company_id=False):
        """Everything the console shows: the lead ``lead_id`` (else the lead I claimed last
        and have not worked yet, else none), my counters, and the console's setup (the
        predefined notes of the lead's company, my queues, the outcomes, what I may do).

        ``setup_company_id``: the company whose setup the console already holds; the
        setup is then left out of the answer unless the lead is of another company (the
        console asks for it on opening, then only when the company changes).

        The lead is read with the caller's rights: a lead they may not read raises
        AccessError, so an "own documents" operator gets nothing of a colleague's lead.
        """
        self._lead_flow_check_operator(claiming=True)
        if lead_id:
            lead = self.browse(int(lead_id))
            if not lead.exists():
                raise ValidationError(self.env._("That lead no longer exists."))
            lead.check_access("read")
        else:
            lead = self._lead_flow_console_pending_lead()
        return self._lead_flow_console_answer(lead, queue_id, setup_company_id)

    @api.model
    def _lead_flow_console_answer(self, lead, queue_id, setup_company_id):
        """The console's data for ``lead`` (none: an empty recordset), read by its caller
        (see lead_flow_console_data)."""
        # Only what the console shows, not the lead's some 75 columns: Log & next reads
        # the next lead at every call.
        lead.fetch(CONSOLE_LEAD_FIELDS)
        lead.partner_id.fetch(CONSOLE_PARTNER_FIELDS)
        company = (lead and lead.company_id) or self.env.company
        data = {
            "lead": lead._lead_flow_console_lead() if lead else False,
            "counters": self._lead_flow_console_counters(),
            "queue_id": int(queue_id) if queue_id else False,
            "setup_company_id": company.id,
        }
        if int(setup_company_id or 0) != company.id:
            data.update(self._lead_flow_console_setup(company, queue_id))
        return data

    @api.model
    def _lead_flow_console_setup(self, company, queue_id):
        """What the console needs beyond the lead, which changes with the company only:
        ``company``'s predefined notes, my queues (and the one I chose, without
        ``queue_id``), the outcomes, and whether I may skip and send SMS."""
        chosen, mine = self.env["lead.flow.queue"]._lead_flow_user_queue_ids(self.env.uid)
        queues = self.env["lead.flow.queue"].sudo().browse(mine)
        return {
            "templates": self._lead_flow_console_templates(company),
            "queues": [{"id": queue.id, "name": queue.name} for queue in queues],
            "queue_id": int(queue_id) if queue_id else (chosen if chosen in mine else False),
            "outcomes": [
                [key, label]
                for key, label in self.env["lead.flow.log"]
                ._fields["outcome"]
                ._description_selection(self.env)
                if key != "unclassified"
            ],
            "can_skip": self.env.su or self._lead_flow_user_in_setting_groups(SKIP_GROUPS_KEY),
            # Odoo's phone widget: a tel: link, and an SMS button when sms is installed.
            "can_sms": "sms.composer" in self.env,
        }

    @api.model
    def _lead_flow_console_pending_lead(self):
        """The lead I claimed last and have not logged on since (a note reserves at the
        moment it is logged: a worked lead has its last contact at or after its claim)."""
        leads = self.search(
            [("lead_flow_reserved_by_me", "=", True)], order="lead_flow_reserved_at desc", limit=20
        )
        for lead in leads:
            contact = lead.lead_flow_last_contact_at
            if not contact or contact < lead.lead_flow_reserved_at:
                return lead
        return self.browse()

    def _lead_flow_console_lead(self):
        """The lead as the console shows it (read with the caller's rights)."""
        self.ensure_one()
        lead = self
        state_labels = dict(self._fields["lead_flow_state"]._description_selection(self.env))
        outcome_labels = dict(OUTCOMES)
        history = self._lead_flow_console_history()
        for entry in history:
            entry["outcome_label"] = outcome_labels.get(entry["outcome"], "")
        messages = self._lead_flow_console_messages()
        holder = lead.lead_flow_reserved_user_id
        partner = lead.partner_id
        return {
            "id": lead.id,
            "name": lead.name,
            "company": lead.partner_name or partner.commercial_company_name or "",
            "contact": lead.contact_name or partner.name or "",
            "function": lead.function or "",
            "phone": lead.phone or partner.phone or "",
            "mobile": lead.mobile or partner.mobile or "",
            "email": lead.email_from or "",
            "city": ", ".join(filter(None, [lead.city, lead.country_id.name])),
            "local_time": lead.lead_flow_local_time or "",
            "tags": [{"id": tag.id, "name": tag.name, "color": tag.color} for tag in lead.tag_ids],
            "state": lead.lead_flow_state,
            "state_label": state_labels.get(lead.lead_flow_state, ""),
            "outcome_label": outcome_labels.get(lead.lead_flow_outcome, ""),
            "reserved_by": holder.sudo().name or "",
            "reserved_by_me": holder == self.env.user,
            "reserved_at": fields.Datetime.to_string(lead.lead_flow_reserved_at),
            "callback_at": fields.Datetime.to_string(lead.lead_flow_callback_at),
            "attempts": lead.lead_flow_attempt_count,
            "description": html2plaintext(lead.description or "")[:500],
            "history": [
                dict(entry, date=fields.Datetime.to_string(entry["date"])) for entry in history
            ],
            "messages": [
                {
                    "id": message["id"],
                    "date": fields.Datetime.to_string(message["date"]),
                    "author": message["author"],
                    "body": html2plaintext(message["body"] or "")[:300],
                }
                for message in messages
            ],
        }

    def _lead_flow_console_history(self):
        """The lead's last entries (not undone) under the user's record rules, with the
        names of their user, kind and predefined note, in one query. The names are read
        as a many2one shows them (as superuser): what the entry refers to may be out of
        the user's reach, the entry is not."""
        Log = self.env["lead.flow.log"]
        query = Log._search(
            [("lead_id", "=", self.id), ("undone", "!=", True)],
            order=Log._order,
            limit=CONSOLE_HISTORY_LIMIT,
        )
        log = query.table
        user = query.left_join(log, "user_id", "res_users", "id", "user_id")
        author = query.left_join(user, "partner_id", "res_partner", "id", "partner_id")
        kind = query.left_join(log, "type_id", "lead_flow_log_type", "id", "type_id")
        template = query.left_join(
            log, "template_id", "lead_flow_note_template", "id", "template_id"
        )
        names = {
            "user_id": self.env["res.partner"]._field_to_sql(author, "name"),
            "type_id": self.env["lead.flow.log.type"]._field_to_sql(kind, "name"),
            "template_id": self.env["lead.flow.note.template"]._field_to_sql(template, "name"),
        }
        columns = [
            *_field_columns(Log, log, ("id", "date", "body", "outcome", "origin"), query),
            *(SQL("%s AS %s", name, SQL.identifier(key)) for key, name in names.items()),
        ]
        return self.env.execute_query_dict(query.select(*columns))

    def _lead_flow_console_messages(self):
        """The lead's last chatter messages with an author, in one query. Read access to
        the lead was checked: internal users read its chatter, so the messages are read
        without mail.message's costly per-message access rules."""
        Message = self.env["mail.message"].sudo()
        query = Message._search(
            [
                ("model", "=", self._name),
                ("res_id", "=", self.id),
                ("message_type", "in", ["comment", "notification"]),
                ("author_id", "!=", False),
                ("body", "!=", ""),
            ],
            order="date desc, id desc",
            limit=CONSOLE_MESSAGE_LIMIT,
        )
        message = query.table
        author = query.left_join(message, "author_id", "res_partner", "id", "author_id")
        return self.env.execute_query_dict(
            query.select(
                *_field_columns(Message, message, ("id", "date", "body"), query),
                SQL("%s AS author", self.env["res.partner"]._field_to_sql(author, "complete_name")),
            )
        )

    @api.model
    def _lead_flow_console_templates(self, company):
        """The predefined notes usable on the leads of ``company`` (its own and shared
        ones), with their tags and outcome: the console numbers them 1-9 in this order."""
        templates = self.env["lead.flow.note.template"].search(
            [("company_id", "in", [False, company.id])]
        )
        outcome_labels = dict(OUTCOMES)
        return [
            {
                "id": template.id,
                "name": template.name,
                "body": template.body or "",
                "outcome": template.outcome or False,
                "outcome_label": outcome_labels.get(template.outcome, ""),
                "closes_lead": template.closes_lead,
                "callback_delay_hours": template.callback_delay_hours,
                "tags": [
                    {"id": tag.id, "name": tag.name, "color": tag.color}
                    for tag in template.sudo().tag_ids
                ],
            }
            for template in templates
        ]

    @api.model
    def _lead_flow_console_counters(self):
        """The dashboard's counters but never contacted (the queue's whole count)."""
        return self.env["lead.flow.dashboard"]._counter_values(never_contacted=False)

    # ------------------------------------------------------------------
    # One round trip per lead
    # ------------------------------------------------------------------
    @api.model
    def lead_flow_console_next(self, queue_id=False, setup_company_id=False):
        """Claim the next lead of my queue (``queue_id``: that one) and return the
        console's data for it (its ``lead`` is False when the queue is empty; the setup
        as in lead_flow_console_data)."""
        # The claim checks the operator and picks the lead under the caller's record
        # rules: an existing lead they may read.
        lead = self.browse(self.lead_flow_claim_next(queue_id=queue_id))
        data = self._lead_flow_console_answer(lead, queue_id, setup_company_id)
        lead = data["lead"]
        if lead and not lead["reserved_by_me"]:
            # The claim committed on its own connection, after this request's snapshot
            # was taken (see lead_flow_claim_next): this transaction cannot see it yet.
            lead.update(
                reserved_by_me=True,
                reserved_by=self.env.user.name,
                reserved_at=fields.Datetime.to_string(fields.Datetime.now()),
            )
            data["counters"]["reserved"] += 1
        return data

    @api.model
    def _lead_flow_note_lead(self, lead_id):
        """The lead ``lead_id`` with what a note reads of it in cache; ValidationError when
        it no longer exists. One query: the fields the note would otherwise fetch at its
        first read are all of the lead's some 75 columns, and its existence is checked."""
        lead_id = int(lead_id or 0)
        fnames = [*self._track_get_fields(), *NOTE_LEAD_FIELDS]
        found = self.with_context(active_test=False).search_fetch(
            [("id", "=", lead_id)], fnames, limit=1
        )
        if found:
            return found.with_env(self.env)
        # Not found under the user's read rules: the note's own access check says why.
        lead = self.browse(lead_id).exists()
        if not lead:
            raise ValidationError(self.env._("That lead no longer exists."))
        return lead

    @api.model
    def lead_flow_log_and_next(
        self,
        lead_id,
        body,
        template_id=False,
        outcome=False,
        close=False,
        callback_at=False,
        callback_personal=True,
        queue_id=False,
        setup_company_id=False,
    ):
        """Log a note on ``lead_id`` (lead_flow_log_note), schedule its callback at
        ``callback_at`` if given, claim the next lead (``queue_id``: of that queue) and
        return the console's data for it (lead_flow_console_next), all in the caller's
        transaction.

        Every input is checked before anything is written: a bad one raises
        ValidationError or UserError and the lead is left untouched.
        """
        self._lead_flow_check_operator()
        lead = self._lead_flow_note_lead(lead_id)
        when = False
        if callback_at:
            try:
                when = fields.Datetime.to_datetime(callback_at)
            except ValueError:
                when = False
            if not when:
                raise ValidationError(self.env._("The callback date is not a valid date."))
            now = fields.Datetime.now()
            if when <= now:
                raise ValidationError(self.env._("A callback must be in the future."))
            if when > now + CALLBACK_HORIZON:
                raise ValidationError(self.env._("A callback must be within a year."))
            template = self.env["lead.flow.note.template"].sudo()
            if template_id:
                template = template.with_context(active_test=False).browse(int(template_id))
            if close or (template.exists() and template.closes_lead):
                raise ValidationError(
                    self.env._("A note that completes the lead cannot schedule a callback.")
                )
        # The queue is checked before the note: a wrong one must not leave a note behind.
        self._lead_flow_claim_queue_ids(queue_id)
        lead.lead_flow_log_note(body, template_id=template_id, outcome=outcome, close=close)
        if when:
            lead.lead_flow_schedule_callback(when, personal=bool(callback_personal))
        return self.lead_flow_console_next(queue_id=queue_id, setup_company_id=setup_company_id)
