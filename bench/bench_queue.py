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

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

import latency  # noqa: E402  (bench/, the script's own folder)
from generate_data import odoo_env  # noqa: E402

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
    return parser.parse_args()


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
        if setup:
            self.release_all()

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
        """Record the round trip of the claim statements themselves (database time)."""
        from odoo.addons.lead_flow.models.crm_lead_queue import CrmLead

        for name in ("_lead_flow_execute_claim", "_lead_flow_execute_prepared_claim"):
            original = getattr(CrmLead, name)

            def timed(model, *args, _original=original):
                start = time.perf_counter()
                result = _original(model, *args)
                self.statement_times.seconds.append(time.perf_counter() - start)
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
        result, seconds = getattr(self, name)(*args)
        return result, seconds, self.statement_times.seconds

    # -- checks and plans ------------------------------------------------------------
    def explain(self):
        """EXPLAIN ANALYZE of the claim's sub-select and of the queue's first page."""
        plans = {}
        with self.request(self.operator_ids[0]) as env:
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

    def reserved_by(self, uid, limit):
        with self.request() as env:
            env.cr.execute(
                "SELECT id FROM crm_lead WHERE lead_flow_reserved_user_id = %s LIMIT %s",
                [uid, limit],
            )
            return [row[0] for row in env.cr.fetchall()]

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
        """(result, method seconds, statement seconds, client-side seconds, end time)."""
        start = time.perf_counter()
        if self.workers:
            self.inbox.put((index, name, args))
            result, seconds, statements = self.outboxes[index].get()
        else:
            result, seconds, statements = self.bench.serve(name, *args)
        end = time.perf_counter()
        return result, seconds, statements, end - start, end

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
        elapsed, results = run_operators(
            bench, server, lambda uid: [("claim_atomic", (uid,))] * args.claims
        )
        calls = report("ATOMIC lead_flow_claim_next", elapsed, results)
        atomic_rate = len(calls) / elapsed
        claims = {uid: [c[0] for c in out] for uid, out in results.items()}
        dup, mismatch, _n = bench.double_claims(claims)
        print(f"  leads claimed twice: {dup}; reservation not held by its claimer: {mismatch}")
        print(f"  empty-queue answers: {sum(1 for c in calls if not c[0])}")

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
        ratio = atomic_rate / naive_rate if naive_rate else float("inf")
        print(f"\nspeed-up: {ratio:.1f}x claims/s")
    finally:
        server.stop()
        bench.release_all()


if __name__ == "__main__":
    main()
