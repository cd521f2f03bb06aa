#!/usr/bin/env python3
"""Benchmark the Lead Flow queue: atomic Next lead vs the naive ORM way, in one run.

    tools/generate_data.py -d lf_queue_bench --create-db --leads 1000000 --logs 1000000
    bench/bench_queue.py -d lf_queue_bench

16 operators (threads, each request on its own cursor, as Odoo serves RPC calls) claim
leads with ``crm.lead.lead_flow_claim_next()``, then log notes on what they claimed; the
same operators then claim the naive way (ORM search of the first free lead, then write,
retried on serialization failure exactly like Odoo's RPC layer, backoff included) for a
bounded time. Printed: claims/s, p50/p95/p99 claim latency (server side: measured around
the method call, no network), queue page latency (first 80 rows as the list view asks
for them), note-logging latency, and the leads claimed twice (must be 0), plus the query
plans. Reservations taken by the benchmark are released at start and at the end.
"""

import argparse
import functools
import os
import random
import sys
import time

import psycopg2
import psycopg2.errors

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

import latency  # noqa: E402  (bench/, the script's own folder)
from generate_data import odoo_env  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--operators", type=int, default=16)
    parser.add_argument("--claims", type=int, default=1000, help="claims per operator")
    parser.add_argument("--notes", type=int, default=25, help="notes per operator")
    parser.add_argument("--naive-seconds", type=float, default=60.0)
    parser.add_argument("--page-runs", type=int, default=30)
    return parser.parse_args()


def summary(name, seconds):
    return latency.summary(name, [s * 1000 for s in seconds])


class Bench:
    def __init__(self, args):
        self.args = args
        self.odoo, self.registry = odoo_env(args.database)
        from odoo.addons.lead_flow.models.crm_lead_queue import QUEUE_ORDER

        self.queue_order = QUEUE_ORDER
        with self.request() as env:
            if "lead.flow.log" not in env:
                sys.exit(f"lead_flow is not installed in {args.database}")
            ops = env["res.users"].search([("login", "=like", "bench_op_%")], order="login")
            if len(ops) < args.operators:
                sys.exit("run tools/generate_data.py first (it creates the bench operators)")
            self.operator_ids = ops[: args.operators].ids
            env["ir.config_parameter"].set_param("lead_flow.queue_domain", "[]")
            env["ir.config_parameter"].set_param("lead_flow.reservation_hours", "24")
            env.cr.execute("SELECT count(*) FROM crm_lead")
            self.lead_count = env.cr.fetchone()[0]
        self.release_all()

    def request(self):
        """A cursor + environment like one RPC request (committed on exit)."""
        bench = self

        class Request:
            def __enter__(self):
                self.cr = bench.registry.cursor()
                self.cr.transaction = bench.odoo.api.Transaction(bench.registry)
                return bench.odoo.api.Environment(self.cr, self.uid, {})

            def __exit__(self, exc_type, exc, tb):
                return self.cr.__exit__(exc_type, exc, tb)

        req = Request()
        req.uid = self.odoo.SUPERUSER_ID
        return req

    def request_as(self, uid):
        req = self.request()
        req.uid = uid
        return req

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
            cr.execute("VACUUM (ANALYZE) crm_lead")
        connection.close()

    def run_operators(self, work):
        """Run work(uid, results) in one thread per operator; return elapsed seconds."""
        results = {uid: [] for uid in self.operator_ids}
        calls = [functools.partial(work, uid, results[uid]) for uid in self.operator_ids]
        return latency.run_together(calls), results

    # -- the measured operations -------------------------------------------------
    def claim_atomic(self, uid, out):
        for _i in range(self.args.claims):
            with self.request_as(uid) as env:
                start = time.perf_counter()
                lead_id = env["crm.lead"].lead_flow_claim_next()
                out.append((lead_id, time.perf_counter() - start))

    def claim_naive(self, uid, out):
        deadline = time.perf_counter() + self.args.naive_seconds
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            lead_id, failed = self._naive_once(uid)
            out.append((lead_id, time.perf_counter() - start, failed))

    @staticmethod
    def _naive_domain(Lead):
        """ "The first free lead" as written without the claim's tuning: open, in scope,
        not reserved or reserved long ago (expired)."""
        free = ["|", ("lead_flow_reserved_user_id", "=", False)]
        free.append(("lead_flow_reserved_at", "<", Lead._lead_flow_reservation_cutoff()))
        return Lead._lead_flow_open_domain() + free + Lead._lead_flow_queue_scope_domain()

    def _naive_once(self, uid):
        """Search the first free lead, write the reservation; on a serialization failure
        retry the whole request as odoo.service.model.retrying does (5 tries, backoff)."""
        for attempt in range(1, 6):
            try:
                with self.request_as(uid) as env:
                    Lead = env["crm.lead"]
                    lead = Lead.search(self._naive_domain(Lead), order=self.queue_order, limit=1)
                    # sudo: the reservation fields are not writable by users (they
                    # change through the checked methods); same cost as the user's write.
                    lead.sudo().write(
                        {
                            "lead_flow_reserved_user_id": uid,
                            "lead_flow_reserved_at": self.odoo.fields.Datetime.now(),
                        }
                    )
                    env.cr.flush()
                    return lead.id, False
            except psycopg2.errors.SerializationFailure:
                time.sleep(random.uniform(0.0, 2**attempt))
        return False, True

    def log_notes(self, uid, out):
        with self.request() as env:
            env.cr.execute(
                "SELECT id FROM crm_lead WHERE lead_flow_reserved_user_id = %s LIMIT %s",
                [uid, self.args.notes],
            )
            lead_ids = [row[0] for row in env.cr.fetchall()]
        for lead_id in lead_ids:
            with self.request_as(uid) as env:
                start = time.perf_counter()
                env["crm.lead"].browse(lead_id).lead_flow_log_note(
                    "Benchmark call: customer asked for a quote."
                )
                env.cr.flush()
                out.append(time.perf_counter() - start)

    def queue_page(self, runs):
        """The queue list's first page, with the fields the list view asks for."""
        uid = self.operator_ids[0]
        spec = {
            name: {}
            for name in (
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
        }
        spec["lead_flow_reserved_user_id"] = {"fields": {"display_name": {}}}
        timings = []
        for _i in range(runs):
            with self.request_as(uid) as env:
                start = time.perf_counter()
                env["crm.lead"].web_search_read(
                    [("lead_flow_in_queue", "=", True)],
                    spec,
                    limit=80,
                    order=self.queue_order,
                    count_limit=10001,
                )
                timings.append(time.perf_counter() - start)
        return timings

    def explain(self):
        """EXPLAIN ANALYZE of the claim's sub-select and of the queue's first page."""
        plans = {}
        with self.request_as(self.operator_ids[0]) as env:
            Lead = env["crm.lead"]
            pick, _reusable = Lead._lead_flow_claim_pick_sql()
            page = Lead._search(
                [("lead_flow_in_queue", "=", True)], limit=80, order=self.queue_order
            ).select()
            for name, sql in (("claim sub-select", pick), ("queue page (80 rows)", page)):
                env.cr.execute(self.odoo.tools.SQL("EXPLAIN (ANALYZE, BUFFERS) %s", sql))
                plans[name] = [row[0] for row in env.cr.fetchall()]
            env.cr.rollback()
        return plans

    def time_claim_statements(self):
        """Record the round trip of the claim statements themselves (database time)."""
        from odoo.addons.lead_flow.models.crm_lead_queue import CrmLead

        timings = []
        for name in ("_lead_flow_execute_claim", "_lead_flow_execute_prepared_claim"):
            original = getattr(CrmLead, name)

            def timed(model, *args, _original=original):
                start = time.perf_counter()
                result = _original(model, *args)
                timings.append(time.perf_counter() - start)
                return result

            setattr(CrmLead, name, timed)
        return timings

    def double_claims(self, claims):
        ids = [lead_id for uid_claims in claims.values() for lead_id in uid_claims if lead_id]
        duplicates = len(ids) - len(set(ids))
        with self.request() as env:
            env.cr.execute(
                "SELECT id, lead_flow_reserved_user_id FROM crm_lead WHERE id = ANY(%s)", [ids]
            )
            holder = dict(env.cr.fetchall())
        mismatched = sum(
            1
            for uid, lead_ids in claims.items()
            for lead_id in lead_ids
            if holder.get(lead_id) != uid
        )
        return duplicates, mismatched, len(ids)


def main():
    args = parse_args()
    bench = Bench(args)
    ops = len(bench.operator_ids)
    print(f"database {args.database}: {bench.lead_count} leads, {ops} concurrent operators")
    for name, plan in bench.explain().items():
        print(f"\n{name} plan (as operator 1):")
        for line in plan:
            print("   ", line)

    statement_times = bench.time_claim_statements()
    elapsed, results = bench.run_operators(bench.claim_atomic)
    latencies = [t for out in results.values() for _lead, t in out]
    claims = {uid: [lead for lead, _t in out] for uid, out in results.items()}
    dup, mismatch, n = bench.double_claims(claims)
    empty = sum(1 for out in claims.values() for lead in out if not lead)
    atomic_rate = n / elapsed
    print(
        f"\nATOMIC lead_flow_claim_next: {n} claims in {elapsed:.1f}s = {atomic_rate:.0f} claims/s"
    )
    print("  " + summary("claim latency", latencies))
    print("  " + summary("  of which the SQL statement", statement_times))
    print(f"  leads claimed twice: {dup}; reservation not held by its claimer: {mismatch}")
    print(f"  empty-queue answers: {empty}")

    with bench.request_as(bench.operator_ids[0]) as env:
        start = time.perf_counter()
        env["crm.lead"].lead_flow_claim_next()
        solo = time.perf_counter() - start
    solo_runs = []
    for _i in range(50):
        with bench.request_as(bench.operator_ids[0]) as env:
            start = time.perf_counter()
            env["crm.lead"].lead_flow_claim_next()
            solo_runs.append(time.perf_counter() - start)
    print("  " + summary("claim latency, 1 operator", solo_runs) + f" (first {solo * 1000:.1f} ms)")

    _elapsed, notes = bench.run_operators(bench.log_notes)
    print("  " + summary("note logging latency", [t for out in notes.values() for t in out]))
    print("  " + summary("queue page (80 rows)", bench.queue_page(args.page_runs)))

    bench.release_all()
    # Lost races raise serialization failures that the naive way retries: expected noise.
    with bench.odoo.tools.mute_logger("odoo.sql_db"):
        elapsed, results = bench.run_operators(bench.claim_naive)
    naive_latencies = [t for out in results.values() for _lead, t, _f in out]
    failures = sum(1 for out in results.values() for _lead, _t, failed in out if failed)
    claims = {uid: [lead for lead, _t, _f in out] for uid, out in results.items()}
    dup, mismatch, n = bench.double_claims(claims)
    naive_rate = n / elapsed
    print(f"\nNAIVE search + write: {n} claims in {elapsed:.1f}s = {naive_rate:.1f} claims/s")
    print("  " + summary("claim latency (with retries)", naive_latencies))
    print(f"  claims that failed after 5 tries: {failures}")
    print(f"  leads claimed twice: {dup}; reservation not held by its claimer: {mismatch}")
    print(f"\nspeed-up: {atomic_rate / naive_rate if naive_rate else float('inf'):.0f}x claims/s")
    bench.release_all()


if __name__ == "__main__":
    main()
