#!/usr/bin/env python3
"""Benchmark the Lead Flow queue: atomic Next lead vs the naive ORM way, in one run.

    tools/generate_data.py -d lf_queue_bench --create-db --leads 1000000 --logs 1000000
    bench/bench_queue.py -d lf_queue_bench

16 operators (client threads) send requests to a server of ``--workers`` processes (2 by
default, one per core: Odoo's prefork model, ``odoo --workers=2``), each request on its
own cursor and environment as Odoo serves an RPC call; nothing but the HTTP layer is left
out (bench/load_jsonrpc.py drives the real HTTP server). The operators first claim leads
with ``crm.lead.lead_flow_claim_next()``, then log notes on what they claimed; then they
claim the naive way (ORM search of the first free lead, then write, retried on
serialization failure exactly like Odoo's RPC layer, backoff included, inside the worker)
for a bounded time. ``--workers 0`` runs the operators as 16 threads of this process
instead, each calling the server code itself (all 16 in a transaction at once, but taking
turns on one interpreter lock: a thread back from the database waits for it, which then
times the harness more than the claim).

Printed per operation: requests/s; server-side latency p50/p95/p99 (around the method
call in the worker, as Odoo's own request time but without HTTP) and, for Next lead, the
SQL statement alone; client-side latency (queueing for a free worker included); the
queue page (first 80 rows as the list view asks for them); the leads claimed twice (must
be 0); and the query plans. Reservations taken by the benchmark are released at start and
at the end.

``--routing`` (issue 15: callbacks, retries and skips, calling hours, do not call):

    tools/generate_data.py -d lf_bench_routing --create-db --leads 1000000 --logs 1000000 \
        --callback-ratio 0.10 --timezones 6 --blacklist-ratio 0.05
    bench/bench_queue.py -d lf_bench_routing --routing

sets calling hours (every day the same window, chosen from the current UTC time so that
about half of the leads' time zones are inside it, well away from its edges) for the run
and puts them back afterwards; the naive way then searches with the same rules as an ORM
domain (due callbacks first, personal ones to their operator during the grace period, no
retry or callback to come, not skipped by the operator within the hour, not on the phone
blacklist, the lead's time zone inside the window: contact, state, country, company, as
lead_flow_lead_tz), callbacks first then leads, each in its order, limit 1, then writes.
After each way, SQL checks on the claimed leads: claimed twice, blacklisted numbers,
outside calling hours at their claim time (reserved_at in the lead's time zone against
the window), callbacks claimed before due, personal callbacks taken by a colleague within
the grace period: all must be 0. Also printed: EXPLAIN (ANALYZE, BUFFERS) of the prepared
claim statement, run as Next lead runs it (generic plan, its arguments of the moment).
"""

import argparse
import contextlib
import multiprocessing
import os
import random
import sys
import threading
import time

import psycopg2
import psycopg2.errors
import pytz

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

import latency  # noqa: E402  (bench/, the script's own folder)
from generate_data import odoo_env  # noqa: E402

from odoo.osv import expression  # noqa: E402

QUEUE_PAGE_FIELDS = (
    "name",
    "contact_name",
    "email_from",
    "phone",
    "priority",
    "lead_flow_state",
    "lead_flow_last_contact_at",
    "lead_flow_outcome",
    "lead_flow_last_note",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--operators", type=int, default=16)
    parser.add_argument("--claims", type=int, default=1000, help="claims per operator")
    parser.add_argument("--notes", type=int, default=25, help="notes per operator")
    parser.add_argument("--naive-seconds", type=float, default=60.0)
    parser.add_argument("--page-runs", type=int, default=30)
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (0: operators as threads)"
    )
    parser.add_argument(
        "--routing",
        action="store_true",
        help="calling hours open for about half of the time zones; naive way with the routing",
    )
    parser.add_argument(
        "--hours",
        help="calling hours to set for --routing (JSON; default: computed from the UTC time)",
    )
    return parser.parse_args()


def half_open_window(zones, now):
    """(from, to) hours, every day, with about half of ``zones`` inside at ``now`` (naive
    UTC): of the windows on a quarter-hour grid, the one whose count of open zones is
    closest to half, then with the widest margin between any zone's local time and an
    edge (so that the run does not cross one)."""
    utc = pytz.utc.localize(now)
    local = {zone: utc.astimezone(pytz.timezone(zone)) for zone in zones}
    hours = {zone: t.hour + t.minute / 60 for zone, t in local.items()}
    best = None
    for start_q in range(0, 96):
        for end_q in range(start_q + 4, 97):
            start, end = start_q / 4, end_q / 4
            inside = [z for z, h in hours.items() if start <= h < end]
            margin = min(min(abs(h - start), abs(h - end)) for h in hours.values())
            key = (abs(len(inside) - len(zones) / 2), -margin, end - start)
            if best is None or key < best[0]:
                best = (key, start, end, sorted(inside), margin)
    _key, start, end, inside, margin = best
    return start, end, inside, margin


def ms(seconds):
    return [s * 1000 for s in seconds]


class Bench:
    """The server side: one request per call, on its own cursor, as the given user."""

    def __init__(self, args, setup=True):
        self.args = args
        self.odoo, self.registry = odoo_env(args.database)
        from odoo.addons.lead_flow.models.crm_lead_queue import QUEUE_ORDER

        self.queue_order = QUEUE_ORDER
        # Per thread: with --workers 0 the 16 operators share this object.
        self.statement_times = threading.local()
        with self.request() as env:
            if "lead.flow.log" not in env:
                sys.exit(f"lead_flow is not installed in {args.database}")
            ops = env["res.users"].search([("login", "=like", "bench_op_%")], order="login")
            if len(ops) < args.operators:
                sys.exit("run tools/generate_data.py first (it creates the bench operators)")
            self.operator_ids = ops[: args.operators].ids
            if setup:
                env["ir.config_parameter"].set_param("lead_flow.queue_domain", "[]")
                env["ir.config_parameter"].set_param("lead_flow.reservation_hours", "24")
                env.cr.execute("SELECT count(*) FROM crm_lead")
                self.lead_count = env.cr.fetchone()[0]
                if args.routing:
                    self.set_calling_hours(env)
        if setup:
            self.release_all()

    def set_calling_hours(self, env):
        """Calling hours open for about half of the leads' time zones now (or --hours);
        the previous value is put back by restore_calling_hours()."""
        import json

        from odoo.addons.lead_flow.lib.calling_hours import PARAM as CALLING_HOURS_KEY

        params = env["ir.config_parameter"].sudo()
        self.previous_hours = params.get_param(CALLING_HOURS_KEY) or ""
        env.cr.execute("SELECT tz, count(*) FROM lead_flow_queue_index GROUP BY tz ORDER BY 2 DESC")
        self.zone_counts = dict(env.cr.fetchall())
        if self.args.hours:
            self.hours = self.args.hours
            print(f"calling hours (given): {self.hours}")
        else:
            now = self.odoo.fields.Datetime.now()
            start, end, inside, margin = half_open_window(list(self.zone_counts), now)
            self.hours = json.dumps({str(day): [start, end] for day in range(7)})
            print(
                f"calling hours every day {start:05.2f}-{end:05.2f} local time: open now in"
                f" {len(inside)} of {len(self.zone_counts)} zones ({', '.join(inside)}),"
                f" {margin * 60:.0f} min from an edge at {now:%H:%M} UTC"
            )
        params.set_param(CALLING_HOURS_KEY, self.hours)

    def restore_calling_hours(self):
        if not self.args.routing:
            return
        from odoo.addons.lead_flow.lib.calling_hours import PARAM as CALLING_HOURS_KEY

        with self.request() as env:
            env["ir.config_parameter"].sudo().set_param(CALLING_HOURS_KEY, self.previous_hours)

    @contextlib.contextmanager
    def request(self, uid=None):
        """A cursor + environment like one RPC request (committed on exit)."""
        with self.registry.cursor() as cr:
            cr.transaction = self.odoo.api.Transaction(self.registry)
            yield self.odoo.api.Environment(cr, uid or self.odoo.SUPERUSER_ID, {})

    def release_all(self):
        with self.request() as env:
            env.cr.execute(
                "UPDATE crm_lead SET lead_flow_reserved_user_id = NULL,"
                " lead_flow_reserved_at = NULL WHERE lead_flow_reserved_user_id = ANY(%s)",
                [self.operator_ids],
            )
        # Each run reserves and frees thousands of leads: vacuum, as autovacuum would
        # between busy periods, so that every phase starts from the same table state.
        connection = psycopg2.connect(dbname=self.args.database)
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute("VACUUM (ANALYZE) crm_lead, lead_flow_queue_index")
        connection.close()

    def time_claim_statements(self):
        """Record the round trip of the claim statements themselves (database time) and,
        where Linux tells it (/proc/PID/schedstat), how long the server process serving
        them ran on a CPU and how long it waited for one: the first does not depend on
        what else the machine runs, the second is that contention."""
        from odoo.addons.lead_flow.models.crm_lead_queue import CrmLead

        for name in ("_lead_flow_execute_claim", "_lead_flow_execute_prepared_claim"):
            original = getattr(CrmLead, name)

            def timed(model, cr, *args, _original=original):
                before = backend_schedstat(cr)
                start = time.perf_counter()
                result = _original(model, cr, *args)
                self.statement_times.seconds.append(time.perf_counter() - start)
                after = backend_schedstat(cr)
                if before and after:
                    self.statement_times.backend.append(
                        ((after[0] - before[0]) / 1e9, (after[1] - before[1]) / 1e9)
                    )
                return result

            setattr(CrmLead, name, timed)

    # -- the requests: each returns (result, seconds in the method) ----------------
    def claim_atomic(self, uid):
        with self.request(uid) as env:
            start = time.perf_counter()
            lead_id = env["crm.lead"].lead_flow_claim_next()
            return lead_id, time.perf_counter() - start

    @staticmethod
    def _naive_domain(Lead):
        """ "The first free lead" as written without the claim's tuning: open, in scope,
        not reserved or reserved long ago (expired)."""
        free = ["|", ("lead_flow_reserved_user_id", "=", False)]
        free.append(("lead_flow_reserved_at", "<", Lead._lead_flow_reservation_cutoff()))
        return Lead._lead_flow_open_domain() + free + Lead._lead_flow_queue_scope_domain()

    @staticmethod
    def _naive_tz_domain(Lead, zones):
        """The lead's time zone (lead_flow_lead_tz: contact, state, country, company, else
        UTC) in ``zones``, as an ORM domain: the states and countries of those zones are
        looked up in the region table first."""
        cr = Lead.env.cr
        cr.execute(
            """SELECT s.id, r.tz FROM res_country_state s
                 JOIN res_country c ON c.id = s.country_id
                 JOIN lead_flow_region_tz r
                   ON r.country_code = upper(c.code) AND r.state_code = upper(s.code)"""
        )
        state_tz = dict(cr.fetchall())
        cr.execute(
            """SELECT c.id, r.tz FROM res_country c JOIN lead_flow_region_tz r
                   ON r.country_code = upper(c.code) AND r.state_code = ''"""
        )
        country_tz = dict(cr.fetchall())
        zones = set(zones)
        no_contact_tz = ["|", ("partner_id", "=", False), ("partner_id.tz", "in", [False, ""])]
        no_state_tz = ["!", ("state_id", "in", list(state_tz))]
        no_country_tz = [
            "!",
            "|",
            ("country_id", "in", list(country_tz)),
            "&",
            ("country_id", "=", False),
            ("state_id.country_id", "in", list(country_tz)),
        ]
        open_country = [
            "|",
            ("country_id", "in", [c for c, tz in country_tz.items() if tz in zones]),
            "&",
            ("country_id", "=", False),
            ("state_id.country_id", "in", [c for c, tz in country_tz.items() if tz in zones]),
        ]
        no_company_tz = [
            "|",
            ("company_id", "=", False),
            ("company_id.partner_id.tz", "in", [False, ""]),
        ]
        branches = [
            [("partner_id.tz", "in", sorted(zones))],
            no_contact_tz + [("state_id", "in", [s for s, tz in state_tz.items() if tz in zones])],
            no_contact_tz + no_state_tz + open_country,
            no_contact_tz
            + no_state_tz
            + no_country_tz
            + [("company_id.partner_id.tz", "in", sorted(zones))],
        ]
        if "UTC" in zones:
            branches.append(no_contact_tz + no_state_tz + no_country_tz + no_company_tz)
        return expression.OR(branches)

    def _naive_routed_pick(self, Lead):
        """The claim's rules as ORM searches: due callbacks of each queue, then each
        queue's leads, in their orders; the first lead found (or an empty recordset)."""
        from odoo.addons.lead_flow.models.crm_lead_queue import allowed_timezones

        now = self.odoo.fields.Datetime.now()
        queues = Lead._lead_flow_claim_queues(Lead._lead_flow_claim_queue_ids())
        available = Lead._lead_flow_available_domain(now, skips=True)
        base = expression.AND([self._naive_domain(Lead), available])
        domains = []
        for queue in queues:
            domain = expression.AND([base, queue.domain])
            if queue.hours:
                zones = allowed_timezones(queue.hours, now)
                domain = expression.AND([domain, self._naive_tz_domain(Lead, zones)])
            domains.append((queue, domain))
        callback_order = "lead_flow_callback_at asc, id asc"
        for _queue, domain in domains:
            callbacks = expression.AND([domain, [("lead_flow_callback_at", "!=", False)]])
            lead = Lead.search(callbacks, order=callback_order, limit=1)
            if lead:
                return lead
        for queue, domain in domains:
            order = self.queue_order if queue.order == "standard" else "create_date desc, id desc"
            lead = Lead.search(domain, order=order, limit=1)
            if lead:
                return lead
        return Lead

    def claim_naive(self, uid):
        """Search the first free lead, write the reservation; on a serialization failure
        retry the whole request as odoo.service.model.retrying does (5 tries, backoff).
        The result is (lead id or False when all tries failed)."""
        start = time.perf_counter()
        for attempt in range(1, 6):
            try:
                # Lost races raise serialization failures, retried here: expected noise.
                with self.odoo.tools.mute_logger("odoo.sql_db"), self.request(uid) as env:
                    Lead = env["crm.lead"]
                    if self.args.routing:
                        lead = self._naive_routed_pick(Lead)
                    else:
                        lead = Lead.search(
                            self._naive_domain(Lead), order=self.queue_order, limit=1
                        )
                    # sudo: the reservation fields are not writable by users (they
                    # change through the checked methods); same cost as the user's write.
                    lead.sudo().write(
                        {
                            "lead_flow_reserved_user_id": uid,
                            "lead_flow_reserved_at": self.odoo.fields.Datetime.now(),
                        }
                    )
                    env.cr.flush()
                    return lead.id, time.perf_counter() - start
            except psycopg2.errors.SerializationFailure:
                time.sleep(random.uniform(0.0, 2**attempt))
        return False, time.perf_counter() - start

    def log_note(self, uid, lead_id):
        with self.request(uid) as env:
            start = time.perf_counter()
            env["crm.lead"].browse(lead_id).lead_flow_log_note(
                "Benchmark call: customer asked for a quote."
            )
            env.cr.flush()
            return lead_id, time.perf_counter() - start

    def queue_page(self, uid):
        """The queue list's first page, with the fields the list view asks for."""
        spec = {name: {} for name in QUEUE_PAGE_FIELDS}
        spec["lead_flow_reserved_user_id"] = {"fields": {"display_name": {}}}
        with self.request(uid) as env:
            start = time.perf_counter()
            env["crm.lead"].web_search_read(
                [("lead_flow_in_queue", "=", True)],
                spec,
                limit=80,
                order=self.queue_order,
                count_limit=10001,
            )
            return None, time.perf_counter() - start

    def serve(self, name, *args):
        """Run one request; return (result, method seconds, SQL statement seconds)."""
        self.statement_times.seconds = []
        self.statement_times.backend = []
        result, seconds = getattr(self, name)(*args)
        return result, seconds, self.statement_times.seconds, self.statement_times.backend

    # -- checks and plans ------------------------------------------------------------
    def explain(self, page=True):
        """EXPLAIN (ANALYZE, BUFFERS) of the prepared claim statement (rolled back) and of
        the queue's first page."""
        plans = {"claim statement (prepared, generic plan)": self.explain_claim()}
        if not page:
            return plans
        with self.request(self.operator_ids[0]) as env:
            Lead = env["crm.lead"]
            sql = Lead._search(
                [("lead_flow_in_queue", "=", True)], limit=80, order=self.queue_order
            ).select()
            env.cr.execute(self.odoo.tools.SQL("EXPLAIN (ANALYZE, BUFFERS) %s", sql))
            plans["queue page (80 rows)"] = [row[0] for row in env.cr.fetchall()]
            env.cr.rollback()
        return plans

    def explain_claim(self):
        """The claim statement of operator 1 prepared as Next lead prepares it (session
        settings of a claim connection: generic plan), run with its arguments of the
        moment under EXPLAIN (ANALYZE, BUFFERS), then rolled back."""
        from odoo.addons.lead_flow.models import claim_connection
        from odoo.addons.lead_flow.models.crm_lead_queue import CLAIM

        with self.request(self.operator_ids[0]) as env:
            Lead = env["crm.lead"]
            plan = Lead._lead_flow_claim_plan(Lead._lead_flow_claim_queue_ids())
            now = self.odoo.fields.Datetime.now()
            values = Lead._lead_flow_claim_values(plan, now)
            arg_types = ", ".join(
                ["int4, timestamp, timestamp, timestamp"]
                + ["varchar[]" for queue in plan.queues if queue.hours]
            )
            prepare = self.odoo.tools.SQL(
                "PREPARE bench_claim (%s) AS %s",
                self.odoo.tools.SQL(arg_types),
                self.odoo.tools.SQL(CLAIM, pick=plan.pick),
            )
        connection = psycopg2.connect(dbname=self.args.database)
        try:
            with connection.cursor() as cr:
                cr.execute(claim_connection.SESSION_SETTINGS)
                cr.execute(prepare.code, prepare.params)
                placeholders = ", ".join(["%s"] * len(values))
                cr.execute(
                    f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_claim ({placeholders})", values
                )
                lines = [row[0] for row in cr.fetchall()]
            connection.rollback()
        finally:
            connection.close()
        return lines

    def machine_state(self, when):
        """The load average and the oldest open transaction of the whole cluster (any
        database): while one is open, PostgreSQL 15 does not clean up on access the row
        versions and index entries that the claims leave behind (a per-backend horizon
        that only VACUUM recomputes), so each claim walks over those of the claims before
        it."""
        with open("/proc/loadavg") as loadavg:
            load = " ".join(loadavg.read().split()[:3])
        with self.request() as env:
            env.cr.execute(
                "SELECT datname, now() - xact_start FROM pg_stat_activity"
                " WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()"
                " ORDER BY xact_start LIMIT 1"
            )
            oldest = env.cr.fetchone()
        held = f"{oldest[1].total_seconds():.0f} s in {oldest[0]}" if oldest else "none"
        return f"{when}: load average {load}; oldest open transaction: {held}"

    def reserved_by(self, uid, limit):
        with self.request() as env:
            env.cr.execute(
                "SELECT id FROM crm_lead WHERE lead_flow_reserved_user_id = %s LIMIT %s",
                [uid, limit],
            )
            return [row[0] for row in env.cr.fetchall()]

    def routing_checks(self, lead_ids):
        """The claimed leads that break a routing rule (all counts must be 0)."""
        from odoo.addons.lead_flow.models import queue_index

        lead_tz = queue_index.LEAD_TZ.format(t="l")
        with self.request() as env:
            grace = env["crm.lead"]._lead_flow_callback_grace()
            env.cr.execute(
                f"""
                WITH claimed AS (
                    SELECT l.*, (l.lead_flow_reserved_at AT TIME ZONE 'UTC')
                                AT TIME ZONE {lead_tz} AS local_at
                      FROM crm_lead l WHERE l.id = ANY(%(ids)s)
                ), hours AS (
                    SELECT c.id, (%(hours)s::json -> ((extract(isodow FROM c.local_at)::int - 1)
                                  ::text)) AS window,
                           extract(hour FROM c.local_at) * 60 + extract(minute FROM c.local_at)
                               AS minute
                      FROM claimed c
                )
                SELECT count(*) FILTER (WHERE b.id IS NOT NULL),
                       count(*) FILTER (WHERE %(hours)s <> '' AND (h.window IS NULL
                           OR h.minute < round((h.window ->> 0)::numeric * 60)
                           OR h.minute >= round((h.window ->> 1)::numeric * 60))),
                       count(*) FILTER (WHERE c.lead_flow_callback_at > c.lead_flow_reserved_at),
                       count(*) FILTER (WHERE c.lead_flow_callback_user_id IS NOT NULL
                           AND c.lead_flow_callback_user_id <> c.lead_flow_reserved_user_id
                           AND c.lead_flow_reserved_at < c.lead_flow_callback_at
                                                         + %(grace)s * interval '1 minute'),
                       count(*) FILTER (WHERE c.lead_flow_callback_at IS NOT NULL),
                       count(*) FILTER (WHERE c.lead_flow_reserved_user_id IS NULL)
                  FROM claimed c
                  JOIN hours h ON h.id = c.id
                  LEFT JOIN phone_blacklist b ON b.number = c.phone_sanitized AND b.active
                """,
                {"ids": lead_ids, "hours": getattr(self, "hours", ""), "grace": grace},
            )
            row = env.cr.fetchone()
            env.cr.execute(
                f"SELECT {lead_tz}, count(*) FROM crm_lead l WHERE l.id = ANY(%s)"
                " GROUP BY 1 ORDER BY 1",
                [lead_ids],
            )
            zones = ", ".join(f"{tz} {n}" for tz, n in env.cr.fetchall())
        names = (
            "blacklisted",
            "outside calling hours",
            "callbacks before due",
            "colleague's personal callback in grace",
            "callbacks claimed (due)",
            "no longer reserved",
        )
        return dict(zip(names, row)), zones

    def print_routing_checks(self, claims):
        if not self.args.routing:
            return
        ids = [lead_id for uid_claims in claims.values() for lead_id in uid_claims if lead_id]
        checks, zones = self.routing_checks(ids)
        print("  SQL checks: " + "; ".join(f"{name}: {n}" for name, n in checks.items()))
        print(f"  claimed leads per time zone: {zones}")

    def double_claims(self, claims):
        ids = [lead_id for uid_claims in claims.values() for lead_id in uid_claims if lead_id]
        with self.request() as env:
            env.cr.execute(
                "SELECT id, lead_flow_reserved_user_id FROM crm_lead WHERE id = ANY(%s)", [ids]
            )
            holder = dict(env.cr.fetchall())
        mismatched = sum(
            holder.get(lead_id) != uid for uid, lead_ids in claims.items() for lead_id in lead_ids
        )
        return len(ids) - len(set(ids)), mismatched, len(ids)


def backend_schedstat(cr):
    """(ns on a CPU, ns waiting for one) of the PostgreSQL process behind cursor ``cr``
    (a psycopg2 cursor or Odoo's), or None where /proc/PID/schedstat is not available."""
    connection = getattr(cr, "_cnx", None) or cr.connection
    try:
        with open(f"/proc/{connection.get_backend_pid()}/schedstat") as stat:
            on_cpu, waiting, _slices = stat.read().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu), int(waiting)


def worker_main(args, inbox, outboxes, ready):
    """A server process: serve (operator index, request name, args) until None."""
    bench = Bench(args, setup=False)
    bench.time_claim_statements()
    ready.put(os.getpid())
    while (item := inbox.get()) is not None:
        index, name, call_args = item
        outboxes[index].put(bench.serve(name, *call_args))


class Server:
    """--workers processes behind one request queue, or (0) the operator's own thread."""

    def __init__(self, bench, args):
        self.bench, self.workers = bench, args.workers
        if not self.workers:
            bench.time_claim_statements()
            self.lock = threading.Lock()
            return
        context = multiprocessing.get_context("spawn")  # a fork would share our connections
        self.inbox, ready = context.SimpleQueue(), context.SimpleQueue()
        self.outboxes = [context.SimpleQueue() for _uid in bench.operator_ids]
        self.processes = [
            context.Process(target=worker_main, args=(args, self.inbox, self.outboxes, ready))
            for _i in range(self.workers)
        ]
        for process in self.processes:
            process.start()
        for _process in self.processes:
            ready.get()

    def call(self, index, name, *args):
        """(result, method seconds, statement seconds, client-side seconds, end time,
        statement (server CPU, CPU wait) seconds)."""
        start = time.perf_counter()
        if self.workers:
            self.inbox.put((index, name, args))
            result, seconds, statements, backend = self.outboxes[index].get()
        else:
            result, seconds, statements, backend = self.bench.serve(name, *args)
        end = time.perf_counter()
        return result, seconds, statements, end - start, end, backend

    def stop(self):
        if self.workers:
            for _process in self.processes:
                self.inbox.put(None)
            for process in self.processes:
                process.join()


def run_operators(bench, server, requests_of):
    """Every operator sends its requests (``requests_of(uid)`` yields (name, args)) one
    after the other, all operators at once; return elapsed seconds and {uid: [calls]}."""
    results = {uid: [] for uid in bench.operator_ids}

    def operator(index, uid):
        for name, args in requests_of(uid):
            results[uid].append(server.call(index, name, *args))

    calls = [lambda i=i, uid=uid: operator(i, uid) for i, uid in enumerate(bench.operator_ids)]
    return latency.run_together(calls), results


def report(title, elapsed, results):
    calls = [call for out in results.values() for call in out]
    print(f"\n{title}: {len(calls)} requests in {elapsed:.1f}s = {len(calls) / elapsed:.1f}/s")
    print("  " + latency.summary("server side (method)", ms(c[1] for c in calls)))
    statements = [s for c in calls for s in c[2]]
    if statements:
        print("  " + latency.summary("  of which SQL statement", ms(statements)))
    if statements:
        # In order of completion: a statement that slows down as the run goes on shows here.
        ordered = sorted((c for c in calls if c[2]), key=lambda c: c[4])
        thirds = [ordered[i * len(ordered) // 3 : (i + 1) * len(ordered) // 3] for i in range(3)]
        print(
            "    SQL p50/p95 by third of the run: "
            + ", ".join(
                f"{latency.pct(ms(s for c in third for s in c[2]), 50):.2f}"
                f"/{latency.pct(ms(s for c in third for s in c[2]), 95):.2f}"
                for third in thirds
            )
            + " ms"
        )
    backend = [b for c in calls for b in c[5]]
    if backend:
        print("  " + latency.summary("    server process on CPU", ms(b[0] for b in backend)))
        print("  " + latency.summary("    server waiting for CPU", ms(b[1] for b in backend)))
    print("  " + latency.summary("client side (queue incl.)", ms(c[3] for c in calls)))
    return calls


def main():
    args = parse_args()
    bench = Bench(args)
    ops = len(bench.operator_ids)
    where = f"{args.workers} server processes" if args.workers else "threads of one process"
    print(f"database {args.database}: {bench.lead_count} leads, {ops} operators, {where}")
    for name, plan in bench.explain().items():
        print(f"\n{name} plan (as operator 1):")
        for line in plan:
            print("   ", line)
    server = Server(bench, args)
    try:
        print("\n" + bench.machine_state("before the claims"))
        elapsed, results = run_operators(
            bench, server, lambda uid: [("claim_atomic", (uid,))] * args.claims
        )
        calls = report("ATOMIC lead_flow_claim_next", elapsed, results)
        print("  " + bench.machine_state("after the claims"))
        atomic_rate = len(calls) / elapsed
        claims = {uid: [c[0] for c in out] for uid, out in results.items()}
        dup, mismatch, _n = bench.double_claims(claims)
        print(f"  leads claimed twice: {dup}; reservation not held by its claimer: {mismatch}")
        print(f"  empty-queue answers: {sum(1 for c in calls if not c[0])}")
        bench.print_routing_checks(claims)
        if args.routing:
            for name, plan in bench.explain(page=False).items():
                print(f"\n{name} plan after the run (as operator 1):")
                for line in plan:
                    print("   ", line)

        solo = [server.call(0, "claim_atomic", bench.operator_ids[0]) for _i in range(200)]
        print("  " + latency.summary("1 operator alone, server", ms(c[1] for c in solo)))

        mine = {uid: bench.reserved_by(uid, args.notes) for uid in bench.operator_ids}
        elapsed, results = run_operators(
            bench, server, lambda uid: [("log_note", (uid, lead)) for lead in mine[uid]]
        )
        report("NOTES lead_flow_log_note", elapsed, results)
        page = [server.call(0, "queue_page", bench.operator_ids[0]) for _i in range(args.page_runs)]
        print("\n" + latency.summary("QUEUE page (80 rows), server", ms(c[1] for c in page)))

        bench.release_all()
        started = time.perf_counter()
        deadline = started + args.naive_seconds

        def naive_requests(uid):
            while time.perf_counter() < deadline:
                yield "claim_naive", (uid,)

        elapsed, results = run_operators(bench, server, naive_requests)
        calls = report("NAIVE search + write (retries incl.)", elapsed, results)
        claims = {uid: [c[0] for c in out if c[0]] for uid, out in results.items()}
        dup, mismatch, n = bench.double_claims(claims)
        # Over the measured window only: requests still backing off after it would
        # otherwise stretch the run and lower the naive figure.
        naive_rate = sum(1 for c in calls if c[0] and c[4] <= deadline) / (deadline - started)
        print(f"  claims: {n}, {naive_rate:.1f}/s in the window; failed 5 times: {len(calls) - n}")
        print(f"  leads claimed twice: {dup}; reservation not held by its claimer: {mismatch}")
        bench.print_routing_checks(claims)
        ratio = atomic_rate / naive_rate if naive_rate else float("inf")
        print(f"\nspeed-up: {ratio:.1f}x claims/s")
    finally:
        server.stop()
        bench.release_all()
        bench.restore_calling_hours()


if __name__ == "__main__":
    main()
