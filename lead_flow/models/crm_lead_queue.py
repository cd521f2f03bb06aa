import itertools
import logging
from collections import namedtuple
from datetime import datetime, timedelta, timezone

import psycopg2
import psycopg2.errors
from lxml.builder import E
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, create_index, str2bool
from odoo.tools.safe_eval import safe_eval

from ..lib import calling_hours
from . import claim_connection, queue_index
from .crm_lead import OPERATOR_GROUP

_logger = logging.getLogger(__name__)
# database -> (minute, the zones of the free leads then), see _lead_flow_zones_present.
_zones_present = {}


def has_window(raw):
    """Whether calling hours ``raw`` restrict calling (invalid ones do: nobody is called)."""
    try:
        return calling_hours.parse(raw) is not None
    except ValueError:
        return True


def allowed_timezones(raw, now):
    """The time zones whose local time is inside calling hours ``raw`` at ``now``."""
    try:
        return calling_hours.allowed_timezones(raw, now) or ()
    except ValueError:
        _logger.error("Lead Flow: invalid calling hours %r: nobody is called", raw)
        return ()


# Never contacted first, then the longest without contact, then the most promising, a
# skipped lead behind its equals, the oldest.
QUEUE_ORDER = (
    "lead_flow_last_contact_at asc nulls first, priority desc,"
    " lead_flow_skipped_at asc nulls first, create_date asc, id asc"
)
QUEUE_INDEX_COLUMNS = [
    "lead_flow_last_contact_at ASC NULLS FIRST",
    "priority DESC",
    "lead_flow_skipped_at ASC NULLS FIRST",
    "create_date ASC",
    "id ASC",
]
# The queue list walks this partial index in queue order. The planner uses it only when
# the query's WHERE clause implies its predicate, so it mirrors _lead_flow_open_domain().
# Next lead walks the free leads of queue_index instead (see there).
QUEUE_INDEX = "crm_lead_lead_flow_queue_v2_idx"
QUEUE_OPEN_WHERE = queue_index.OPEN_LEAD.format(t="")

# A reservation is soft state (lost, the lead is simply free again), so its commit need
# not wait for the WAL flush.
SYNC_COMMIT_OFF = SQL("SET LOCAL synchronous_commit TO OFF")
# Reserve for user $1 at time $2 the lead that %(pick)s (queue order, SKIP LOCKED) locks.
# No index of crm_lead covers these columns: the row is updated in place (HOT).
CLAIM = """UPDATE crm_lead
              SET lead_flow_reserved_user_id = $1, lead_flow_reserved_at = $2,
                  lead_flow_retry_at = NULL,
                  write_uid = $1, write_date = $2
            WHERE id = %(pick)s
        RETURNING id"""
RELEASE_NAME = "lead_flow_release_expired_v2"


# The zone lists of the claims' arguments as SQL literals, per list (see _claim_literal).
_zone_literals = {}


def _claim_literal(cr, value):
    """``value``, an argument of the prepared claim, as an SQL literal: the user id, naive
    UTC datetimes of the server's clock (never user input), and the lists of time zones,
    adapted by psycopg2 once per list (they change once a minute at most)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return f"'{value.isoformat(sep=' ')}'::timestamp"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, (list, tuple)):
        return cr.mogrify("%s", [value]).decode()
    key = tuple(value)
    literal = _zone_literals.get(key)
    if literal is None:
        if len(_zone_literals) > 256:
            _zone_literals.clear()
        literal = _zone_literals[key] = cr.mogrify("%s::varchar[]", [list(key)]).decode()
    return literal


# What Next lead looks up once per claim (see _lead_flow_claim_plan_cached).
ClaimPlan = namedtuple("ClaimPlan", "operator queues pick statement hours grace prepared")
# A queue as the claim walks it: its filter, order and calling hours (None: any time).
ClaimQueue = namedtuple("ClaimQueue", "id domain order hours")
BLACKLISTED_NUMBERS = SQL("(SELECT number FROM phone_blacklist WHERE active)")
CALLBACK_GRACE_KEY = "lead_flow.callback_grace_minutes"
CALLBACK_GRACE_DEFAULT = 30
# A skipped lead stays out of its skipper's claims this long.
SKIP_HOLD = timedelta(hours=1)


def _domain_on_columns(model, domain):
    """Whether every field on the paths of ``domain`` is a column of its table, so that
    its compiled SQL only depends on the domain, not on the data at compile time."""
    for leaf in domain:
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or not isinstance(leaf[0], str):
            continue  # '&', '|', '!', or a constant leaf such as (1, '=', 1)
        path, operator, value = leaf
        if operator in ("child_of", "parent_of"):
            return False  # the ids of the hierarchy are looked up when compiling
        current = model
        for name in path.split("."):
            field = current._fields.get(name)
            if field is None or not field.store:
                return False
            if field.relational:
                current = current.env[field.comodel_name]
        nested = operator in ("any", "not any") and isinstance(value, (list, tuple))
        if nested and not _domain_on_columns(current, value):
            return False
    return True


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_in_queue = fields.Boolean(
        "In my Lead Flow queue",
        compute="_compute_lead_flow_in_queue",
        search="_search_lead_flow_in_queue",
        help="Open, not completed, within the queue scope, and free or reserved by me.",
    )
    lead_flow_last_note = fields.Text("Last note", compute="_compute_lead_flow_last_note")

    def init(self):
        res = super().init()
        create_index(
            self.env.cr, QUEUE_INDEX, self._table, QUEUE_INDEX_COLUMNS, where=QUEUE_OPEN_WHERE
        )
        queue_index.install(self.env.cr)
        return res

    # ------------------------------------------------------------------
    # Queue scope and order
    # ------------------------------------------------------------------
    @api.model
    def _lead_flow_open_domain(self):
        """Leads that still need work: active (lost ones are archived), not won, not completed."""
        # Won stage ids rather than ("stage_id.is_won", "=", False): a plain NOT IN keeps
        # the claim statement a single-table scan of the queue index.
        won_stage_ids = list(self.env["crm.stage"]._lead_flow_won_stage_ids())
        return [
            ("active", "=", True),
            ("lead_flow_state", "in", ["none", "in_progress"]),
            ("stage_id", "not in", won_stage_ids),
        ]

    @api.model
    def _lead_flow_queue_scope_domain(self):
        """The admin's queue scope (Settings); extended by lead_flow_mass_mailing.

        A scope that cannot be evaluated (edited in the database, or naming a field that
        an uninstalled module took away) closes the queue: no lead rather than every lead.
        """
        raw = self._lead_flow_queue_scope_raw()
        domain = self._lead_flow_parse_queue_scope(raw, self.env.uid)
        return expression.FALSE_DOMAIN if domain is None else domain

    @api.model
    def _lead_flow_queue_scope_raw(self):
        return self.env["ir.config_parameter"].sudo().get_param("lead_flow.queue_domain") or "[]"

    @api.model
    @tools.ormcache("raw", "uid")
    def _lead_flow_parse_queue_scope(self, raw, uid):
        """The scope as a domain, or None (logged) when it is not a valid filter on leads.
        Kept per scope and user: a module (un)installation starts a new registry."""
        try:
            domain = safe_eval(raw, {"uid": uid})
            if not isinstance(domain, list):
                raise ValueError("not a list")
            self.sudo()._search(domain)  # compiles it: unknown fields, bad operators
        except Exception as error:  # whatever is wrong with it, the queue is closed
            _logger.error(
                "Lead Flow: the queue scope lead_flow.queue_domain %r is invalid (%s): the "
                "queue stays empty until an administrator fixes it in Settings.",
                raw,
                error,
            )
            return None
        return domain

    @api.model
    def _lead_flow_check_queue_scope(self):
        """Tell the operator, in their words, why the queue is empty."""
        raw = self._lead_flow_queue_scope_raw()
        if self._lead_flow_parse_queue_scope(raw, self.env.uid) is None:
            raise UserError(self.env._("The queue scope is invalid: ask an administrator."))

    @api.model
    def _lead_flow_free_domain(self, include_mine):
        """For the queue list: free, expired or mine. For the claim (include_mine=False):
        free only, expired reservations being released just before (see claim)."""
        free = [("lead_flow_reserved_user_id", "=", False)]
        if not include_mine:
            return free
        free = expression.OR([free, [("lead_flow_reserved_user_id", "=", self.env.uid)]])
        cutoff = self._lead_flow_reservation_cutoff()
        if cutoff:
            free = expression.OR([free, [("lead_flow_reserved_at", "<", cutoff)]])
        return free

    @api.model
    def _lead_flow_queue_domain(self, include_mine=True):
        """Open, free (or mine, for the list) and in the queue scope. The queue list adds
        the filters of the caller's queues and what is available now (see there)."""
        return expression.AND(
            [
                self._lead_flow_open_domain(),
                self._lead_flow_free_domain(include_mine),
                self._lead_flow_queue_scope_domain(),
            ]
        )

    @api.model
    def _lead_flow_queue_list_domain(self):
        """The queue list: what the caller's claims may offer (the filters of the queues
        they work now, no callback or retry to come, no colleague's personal callback in
        its grace period, not on the phone blacklist), plus their own reservations."""
        queues = self._lead_flow_claim_queues(self._lead_flow_claim_queue_ids())
        available = self._lead_flow_available_domain(fields.Datetime.now())
        return expression.AND(
            [
                self._lead_flow_queue_domain(),
                expression.OR([queue.domain for queue in queues] or [expression.FALSE_DOMAIN]),
                available,
            ]
        )

    @api.model
    def _lead_flow_available_domain(self, now, skips=False):
        """The claim's availability conditions (queue_index.available_sql) as a domain on
        leads: not on the phone blacklist, no retry or callback to come, no colleague's
        personal callback in its grace period; with ``skips``, not skipped by the caller
        within the hour (the queue list still shows those to their skipper)."""
        uid = self.env.uid
        shared_from = now - timedelta(minutes=self._lead_flow_callback_grace())
        available = [
            "|",
            ("phone_sanitized", "=", False),
            ("phone_sanitized", "not in", BLACKLISTED_NUMBERS),
            "|",
            ("lead_flow_retry_at", "=", False),
            ("lead_flow_retry_at", "<=", now),
            "|",
            ("lead_flow_callback_at", "=", False),
            "&",
            ("lead_flow_callback_at", "<=", now),
            "|",
            "|",
            ("lead_flow_callback_user_id", "=", False),
            ("lead_flow_callback_user_id", "=", uid),
            ("lead_flow_callback_at", "<=", shared_from),
        ]
        if skips:
            available += [
                "|",
                "|",
                ("lead_flow_skipped_by_id", "=", False),
                ("lead_flow_skipped_by_id", "!=", uid),
                ("lead_flow_skipped_at", "<=", now - SKIP_HOLD),
            ]
        return available

    @api.model
    def _lead_flow_callback_grace(self):
        """Minutes a personal callback waits for its operator before anyone may take it."""
        raw = self.env["ir.config_parameter"].sudo().get_param(CALLBACK_GRACE_KEY)
        try:
            return max(int(raw), 0) if raw not in (None, False, "") else CALLBACK_GRACE_DEFAULT
        except ValueError:
            return CALLBACK_GRACE_DEFAULT

    @api.model
    def _lead_flow_calling_hours_raw(self):
        return self.env["ir.config_parameter"].sudo().get_param(calling_hours.PARAM) or ""

    def _compute_lead_flow_in_queue(self):
        # A search, not filtered_domain: scope extensions may use SQL sub-queries.
        in_queue = self.search([("id", "in", self.ids), *self._lead_flow_queue_list_domain()])
        for lead in self:
            lead.lead_flow_in_queue = lead in in_queue

    def _search_lead_flow_in_queue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on the queue flag."))
        domain = self._lead_flow_queue_list_domain()
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    def _compute_lead_flow_last_note(self):
        """One query for the whole page (the queue shows 80 leads at a time)."""
        notes = {}
        if self.ids:
            self.env["lead.flow.log"].flush_model(["lead_id", "body", "date", "undone", "origin"])
            self.env.cr.execute(
                """
                SELECT DISTINCT ON (lead_id) lead_id, body
                  FROM lead_flow_log
                 WHERE lead_id = ANY(%s) AND origin = 'manual' AND NOT coalesce(undone, false)
                 ORDER BY lead_id, date DESC, id DESC
                """,
                [list(self.ids)],
            )
            notes = dict(self.env.cr.fetchall())
        for lead in self:
            lead.lead_flow_last_note = notes.get(lead.id, False)

    @api.model
    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        # Never contacted counts as the oldest contact, whoever sorts: the web client drops
        # "nulls first" from a view's default_order and PostgreSQL puts NULLs last on ASC.
        if field_name == "lead_flow_last_contact_at" and not nulls.code:
            nulls = SQL("NULLS LAST" if direction.code == "DESC" else "NULLS FIRST")
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    # ------------------------------------------------------------------
    # Next lead
    # ------------------------------------------------------------------
    @api.model
    def lead_flow_claim_next(self, queue_id=False):
        """Reserve the next lead of the caller's queue; return its id, or False.

        ``queue_id``: that queue only (one the caller works); else the queue the caller
        chose to work, else all their queues in sequence, each next one when the ones
        before are empty. Due callbacks of those queues come first (a personal one to its
        operator only, until its grace period is over).

        One statement picks and reserves the lead: its sub-selects walk the queue table's
        indexes in order under the caller's record rules, queue scope and queue filters,
        and ``FOR UPDATE SKIP LOCKED`` makes concurrent callers step over each other's rows
        instead of waiting, so two callers never get the same lead. It runs in its own
        short READ COMMITTED transaction: under Odoo's REPEATABLE READ a row reserved by a
        transaction that committed after ours began would raise a serialization error
        instead of being re-checked and skipped.
        """
        queue_ids = self._lead_flow_claim_queue_ids(queue_id)
        plan = self._lead_flow_claim_plan(queue_ids)
        if not plan.operator:
            self._lead_flow_check_operator(claiming=True)  # raises, in the user's words
        self._lead_flow_check_queue_scope()
        if not queue_ids:
            raise UserError(
                self.env._("You work no Lead Flow queue: ask a manager to add you to one.")
            )
        # To the microsecond: it also tells this claim apart if its answer is lost.
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        cutoff = self._lead_flow_reservation_cutoff(now, plan.hours)
        if self.env.registry.in_test_mode():
            # Browser tests share one connection; isolation cannot be changed there. The
            # statement then sees this transaction's pending writes: flush them first.
            self.sudo().env.flush_all()  # pending recomputations may need more rights
        values = self._lead_flow_claim_values(plan, now)
        if self.env.registry.in_test_mode():
            pick = self._lead_flow_compile_pick_sql(plan.queues, values)
            lead_id = self._lead_flow_execute_claim(self.env.cr, pick, now, cutoff)
        elif plan.pick is not None and plan.prepared:
            # Prepared once per connection: only for SQL that is the same at every claim.
            dbname = self.env.cr.dbname

            def claim():
                with claim_connection.claim_cursor(dbname) as (cr, prepared):
                    return self._lead_flow_execute_prepared_claim(
                        cr, prepared, plan, values, cutoff
                    )

            try:
                lead_id = claim()
                claim_connection.claimed(dbname, queue_index.CLEANUP)
            except (
                psycopg2.OperationalError,
                psycopg2.InterfaceError,
                psycopg2.errors.InvalidSqlStatementName,
            ):
                # Idle claim connections the server has since closed (restart, idle
                # timeout, terminated backends: then all of them are), or a pooler that
                # lost our prepared statements: drop the idle ones and claim once more on
                # a new connection, unless the server did claim before the line dropped.
                claim_connection.close_all(dbname)
                lead_id = self._lead_flow_claimed_at(now) or claim()
        else:
            pick = self._lead_flow_compile_pick_sql(plan.queues, values)
            with self.env.registry.cursor() as cr:
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                lead_id = self._lead_flow_execute_claim(cr, pick, now, cutoff)
        if lead_id:
            self.browse(lead_id).invalidate_recordset(
                [
                    "lead_flow_reserved_user_id",
                    "lead_flow_reserved_at",
                    "lead_flow_retry_at",
                    "write_uid",
                    "write_date",
                ]
            )
        return lead_id

    @api.model
    def _lead_flow_claim_queue_ids(self, queue_id=False):
        """The queues a claim walks, in order (see lead_flow_claim_next)."""
        chosen, mine = self.env["lead.flow.queue"]._lead_flow_user_queue_ids(self.env.uid)
        if queue_id:
            queue_id = int(queue_id)
            if queue_id not in mine and not self.env.su:
                raise UserError(self.env._("You do not work that queue."))
            return (queue_id,)
        return (chosen,) if chosen in mine else mine

    @api.model
    def _lead_flow_claimed_at(self, now):
        """The lead this user reserved at ``now`` (a claim whose answer was lost), if any."""
        with self.env.registry.cursor() as cr:
            cr.execute(queue_index.reserved_by_sql(self.env.uid, now))
            row = cr.fetchone()
        return row[0] if row else False

    @api.model
    def _lead_flow_claim_plan(self, queue_ids):
        """What Next lead needs besides the clock, looked up once per claim."""
        rule_context = tuple(self.env["ir.rule"]._compute_domain_context_values())
        return self._lead_flow_claim_plan_cached(rule_context, tuple(queue_ids))

    @api.model
    @tools.ormcache("self.env.uid", "self.env.su", "self.env.lang", "rule_context", "queue_ids")
    def _lead_flow_claim_plan_cached(self, rule_context, queue_ids):
        # The caller's right to claim, the settings, the queues and the compiled statement
        # only change with what clears the registry cache (groups, settings, record rules,
        # queues, won stages), so they are kept per user, company context and queues, as
        # ir.rule keeps its domains (rule_context holds the allowed companies): one cache
        # look-up per claim instead of one per setting. Compiling the domains, record rules
        # and order takes longer than running the statement. The statement is not kept
        # (None) when a field on the way has no column: its search method may put ids or
        # dates of the moment in it.
        operator = self.env.su or self.env.user.has_group(OPERATOR_GROUP)
        prepared = self.env["ir.config_parameter"].sudo().get_param("lead_flow.claim_prepared")
        queues = self._lead_flow_claim_queues(queue_ids) if operator else ()
        pick = name = None
        if queues:
            rules = [] if self.env.su else self.env["ir.rule"]._compute_domain(self._name, "read")
            domains = [self._lead_flow_claim_domain(), rules, *(queue.domain for queue in queues)]
            if all(_domain_on_columns(self, domain) for domain in domains):
                pick = self._lead_flow_compile_pick_sql(queues)
                name = claim_connection.statement_name("lead_flow_claim", pick.code, pick.params)
        return ClaimPlan(
            operator=operator,
            queues=queues,
            pick=pick,
            statement=name,
            hours=self._lead_flow_reservation_hours(),
            grace=self._lead_flow_callback_grace(),
            prepared=str2bool(prepared or "True", default=True),
        )

    @api.model
    def _lead_flow_claim_queues(self, queue_ids):
        """The queues of a claim as plain values: id, filter, order and calling hours."""
        global_hours = self._lead_flow_calling_hours_raw()
        Queue = self.env["lead.flow.queue"].sudo()
        queues = []
        for queue in Queue.browse(queue_ids).exists():
            domain = Queue._lead_flow_parse_domain(queue.domain)
            if domain is None:  # edited in the database: that queue offers nothing
                continue
            hours = queue.calling_hours or global_hours
            queues.append(
                ClaimQueue(queue.id, domain, queue.order, hours if has_window(hours) else None)
            )
        return tuple(queues)

    @api.model
    def _lead_flow_claim_domain(self):
        """The leads any claim may take, before queue filters: open, free, in the scope."""
        return self._lead_flow_queue_domain(include_mine=False)

    @api.model
    def _lead_flow_claim_values(self, plan, now):
        """The values of the claim statement's arguments (queue_index.PREPARED_ARGS order),
        then the time zones inside the calling hours of each queue that has some."""
        values = [
            self.env.uid,
            now,
            now - timedelta(minutes=plan.grace),
            now - SKIP_HOLD,
        ]
        if any(queue.hours for queue in plan.queues):
            present = self._lead_flow_zones_present(now)
            values.extend(
                sorted(present.intersection(allowed_timezones(queue.hours, now)))
                for queue in plan.queues
                if queue.hours
            )
        return values

    @api.model
    def _lead_flow_zones_present(self, now):
        """The time zones of the free leads, looked up once a minute per process (a lead of
        a zone new to the queue may wait that minute): each one costs the claim an index
        probe, and calling hours may open hundreds of zones, most with no lead."""
        minute = now.replace(second=0, microsecond=0)
        cached = _zones_present.get(self.env.cr.dbname)
        if cached and cached[0] == minute and not self.env.registry.in_test_mode():
            return cached[1]
        self.env.cr.execute(queue_index.ZONES_PRESENT)
        zones = frozenset(row[0] for row in self.env.cr.fetchall())
        _zones_present[self.env.cr.dbname] = (minute, zones)
        return zones

    @api.model
    def _lead_flow_compile_pick_sql(self, queues, values=None):
        """COALESCE of the sub-selects that pick and lock the caller's next lead: the due
        callbacks of each queue, then each queue's leads. With ``values``, the arguments
        are inlined; without, they are the placeholders of a prepared statement."""
        if values is None:
            args = dict(queue_index.PREPARED_ARGS)
            params = iter(SQL(f"${n}::varchar[]") for n in itertools.count(len(args) + 1))
        else:
            args = dict(zip(queue_index.PREPARED_ARGS, (SQL("%s", v) for v in values)))
            params = iter(SQL("%s::varchar[]", v) for v in values[len(args) :])
        claim_domain = self._lead_flow_claim_domain()
        mine_domain = expression.AND(
            [self._lead_flow_open_domain(), self._lead_flow_queue_scope_domain()]
        )
        callbacks, retries, leads = [], [], []
        for queue in queues:
            timezones = next(params) if queue.hours else None
            domain = expression.AND([claim_domain, queue.domain])
            callbacks.append(
                queue_index.pick_sql(
                    self._search(domain), args, timezones=timezones, callbacks=True
                )
            )
            retries.append(
                queue_index.pick_sql(
                    self._search(expression.AND([mine_domain, queue.domain])),
                    args,
                    timezones=timezones,
                    retries=True,
                )
            )
            leads.append(queue_index.pick_sql(self._search(domain), args, queue.order, timezones))
        return SQL("COALESCE(%s)", SQL(", ").join(callbacks + retries + leads))

    @api.model
    def _lead_flow_execute_claim(self, cr, pick, now, cutoff):
        """Release expired reservations, then claim, in one round trip (Odoo cursor)."""
        parts = [SYNC_COMMIT_OFF]
        if cutoff:
            release = queue_index.RELEASE_EXPIRED.replace("$1", "%(cutoff)s")
            parts.append(SQL(release, cutoff=cutoff))
        claim = CLAIM.replace("$1", "%(uid)s").replace("$2", "%(now)s")
        parts.append(SQL(claim, uid=self.env.uid, now=now, pick=pick))
        cr.execute(SQL("; ").join(parts))
        row = cr.fetchone()
        return row[0] if row else False

    @api.model
    def _lead_flow_execute_prepared_claim(self, cr, prepared, plan, values, cutoff):
        """The same on a claim connection (autocommit, asynchronous commit and generic
        plans set once per connection, see claim_connection) with statements prepared once
        per connection (the claim's arguments: see _lead_flow_claim_values; $1 = expiry
        cutoff for the release): one round trip that is its own transaction, no planning.

        Once both statements are prepared on the connection, the round trip is written as
        plain text from the arguments' literals (_claim_literal) rather than composed and
        adapted by psycopg2 at every claim, which took longer than the claim's own SQL."""
        if RELEASE_NAME in prepared and plan.statement in prepared:
            literals = ", ".join(_claim_literal(cr, value) for value in values)
            text = f'EXECUTE "{plan.statement}" ({literals})'
            if cutoff:
                text = f'EXECUTE "{RELEASE_NAME}" ({_claim_literal(cr, cutoff)}); {text}'
            # Every literal comes from _claim_literal: server-made ints and datetimes, and
            # values adapted by psycopg2 (mogrify); the statement names are constants.
            cr.execute(text)  # pylint: disable=sql-injection
            row = cr.fetchone()
            return row[0] if row else False
        arg_types = ", ".join(
            [queue_index.PREPARED_ARG_TYPES] + ["varchar[]" for queue in plan.queues if queue.hours]
        )
        parts = []
        for name, types, body in (
            (RELEASE_NAME, "timestamp", SQL(queue_index.RELEASE_EXPIRED)),
            (plan.statement, arg_types, SQL(CLAIM, pick=plan.pick)),
        ):
            if name not in prepared:
                parts.append(SQL("PREPARE %s (%s) AS %s", SQL.identifier(name), SQL(types), body))
        if cutoff:
            parts.append(SQL("EXECUTE %s (%s)", SQL.identifier(RELEASE_NAME), cutoff))
        placeholders = SQL(", ").join(SQL("%s", value) for value in values)
        parts.append(SQL("EXECUTE %s (%s)", SQL.identifier(plan.statement), placeholders))
        statement = SQL("; ").join(parts)
        cr.execute(statement.code, statement.params)
        prepared.update((RELEASE_NAME, plan.statement))
        row = cr.fetchone()
        return row[0] if row else False

    def action_lead_flow_next(self):
        """ "Next lead" button: reserve the next lead and open it, or say the queue is empty."""
        lead_id = self.lead_flow_claim_next()
        if not lead_id:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Queue empty"),
                    "message": self.env._("There is no free lead left in your queue."),
                    "type": "info",
                    "sticky": False,
                },
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": lead_id,
            "views": [(self.env.ref("crm.crm_lead_view_form").id, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Expiry
    # ------------------------------------------------------------------
    @api.model
    def _cron_lead_flow_release_expired(self):
        cutoff = self._lead_flow_reservation_cutoff()
        if not cutoff:
            return
        expired = self.sudo().search(
            [("lead_flow_reserved_user_id", "!=", False), ("lead_flow_reserved_at", "<", cutoff)]
        )
        expired.write({"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False})
        _logger.info("Lead Flow: released %d expired reservations", len(expired))
        self.env.flush_all()
        repaired = queue_index.reconcile(self.env.cr)  # 0 unless triggers were bypassed
        if repaired:
            _logger.warning("Lead Flow: %d queue index rows repaired", repaired)

    # ------------------------------------------------------------------
    # Queue columns chosen by admins
    # ------------------------------------------------------------------
    @api.model
    def _lead_flow_queue_extra_fields(self):
        raw = self.env["ir.config_parameter"].sudo().get_param("lead_flow.queue_fields") or ""
        return [name for name in raw.split(",") if name in self._fields]

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        queue_view = self.env.ref("lead_flow.crm_lead_view_list_lead_flow_queue", False)
        if view_type == "list" and queue_view and view.id == queue_view.id:
            anchor = arch.find(".//field[@name='lead_flow_last_note']")
            shown = {node.get("name") for node in arch.iter("field")}
            for name in self._lead_flow_queue_extra_fields():
                if name not in shown and anchor is not None:
                    anchor.addprevious(E.field(name=name, optional="show"))
        return arch, view
