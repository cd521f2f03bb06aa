#!/usr/bin/env python3
"""Time the Lead Flow analysis pivot against the naive chatter aggregation, in one run.

    python3 bench/bench_report.py -d DB [--days 30] [--runs 7] [--login admin]

DB holds data from ``tools/generate_data.py`` and an up-to-date lead_flow (the report view
and its index are created on install/update: ``python3 -m odoo -d DB -u lead_flow``). As
``--login`` (default admin, a Lead Flow manager, so record rules apply), it prints the
median server-side time of:

* the report pivot operator x outcome over the last ``--days`` days: the ``read_group``
  calls the web pivot makes (totals, rows, columns, cells) on ``lead.flow.report``, with
  the default measures (answered from the daily totals plus the entries of the first,
  partial day), then the same from the entries only, then with "unique leads contacted"
  (count distinct, always from the entries);
* the naive way: ``read_group`` on ``mail.message`` (messages on crm.lead with the Lead
  Flow subtype), grouped by author and day, as the same user and as superuser;

then the EXPLAIN (ANALYZE, BUFFERS) summary of the report's cell query. Not a test.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEASURES = ["call_count:sum", "closed_count:sum", "closing_rate:avg"]
PIVOT_GROUPBYS = [[], ["user_id"], ["outcome"], ["user_id", "outcome"]]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--login", default="admin")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="skip VACUUM ANALYZE lead_flow_log (needed once after a bulk load so that "
        "index-only scans skip the heap; autovacuum does it in production)",
    )
    return parser.parse_args()


def odoo_registry(database):
    import odoo
    from odoo.tools import config

    addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    config.parse_config(["-d", database, f"--addons-path={REPO},{addons}", "--log-level=warn"])
    return odoo, odoo.modules.registry.Registry(database)


def median_ms(func, runs):
    func()  # warm-up: caches, plans, shared buffers
    times = []
    for _i in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


@contextmanager
def captured_queries(cr):
    from odoo.tools import SQL

    queries = []
    execute = cr.execute

    def spy(query, params=None, log_exceptions=True):
        if isinstance(query, SQL):
            queries.append((query.code, query.params))
        else:
            queries.append((query, params))
        return execute(query, params, log_exceptions)

    cr.execute = spy
    try:
        yield queries
    finally:
        cr.execute = execute


def explain(cr, query, params):
    cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
    return [row[0] for row in cr.fetchall()]


def plan_summary(lines):
    """The plan's nodes (one line each, without cost/buffer details) and its timings."""
    nodes = [
        re.sub(r"\s+\(cost=.*?\)\s*(\(actual[^)]*\))?", r" \1", line).rstrip()
        for line in lines
        if "(cost=" in line
    ]
    extras = [
        line.strip()
        for line in lines
        if re.search(r"Heap Fetches|Workers Launched|Execution Time|Planning Time", line)
    ]
    return nodes, extras


def main():
    args = parse_args()
    odoo, registry = odoo_registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "lead.flow.report" not in env:
            sys.exit(f"lead_flow is not up to date in {args.database}: run -u lead_flow first")
        if not args.no_vacuum:
            start = time.perf_counter()
            subprocess.run(
                ["psql", "-q", "-d", args.database, "-c", "VACUUM ANALYZE lead_flow_log"],
                check=True,
            )
            print(f"VACUUM ANALYZE lead_flow_log: {time.perf_counter() - start:.1f}s")
        user = env["res.users"].search([("login", "=", args.login)])
        uenv = env(user=user.id, context={"tz": user.tz or "UTC", "lang": "en_US"})
        since = odoo.fields.Datetime.now() - timedelta(days=args.days)
        cr.execute("SELECT count(*) FROM lead_flow_log")
        total_logs = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM lead_flow_log WHERE date >= %s", [since])
        range_logs = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM crm_lead")
        total_leads = cr.fetchone()[0]
        print(
            f"data: {total_leads:,} leads, {total_logs:,} log entries, "
            f"{range_logs:,} in the last {args.days} days; user {user.login}"
        )

        Report = uenv["lead.flow.report"]
        domain = [("date", ">=", since)]

        def pivot(measures=MEASURES, ctx=None):
            for groupby in PIVOT_GROUPBYS:
                Report.with_context(**(ctx or {})).read_group(domain, measures, groupby, lazy=False)

        def cells():
            return Report.read_group(domain, MEASURES, ["user_id", "outcome"], lazy=False)

        subtype = env.ref("lead_flow.mt_lead_flow_note").id
        naive_domain = [
            ("model", "=", "crm.lead"),
            ("subtype_id", "=", subtype),
            ("date", ">=", since),
        ]

        def naive(message_env):
            return message_env["mail.message"].read_group(
                naive_domain, ["__count"], ["author_id", "date:day"], lazy=False
            )

        results = [
            ("report pivot, 4 read_group (default measures)", median_ms(pivot, args.runs)),
            ("report cells only, user_id x outcome", median_ms(cells, args.runs)),
            (
                "report pivot, entries only (daily totals off)",
                median_ms(
                    lambda: pivot(ctx={"lead_flow_report_raw": True}), max(args.runs // 2, 1)
                ),
            ),
            (
                "report pivot + unique leads (count distinct)",
                median_ms(
                    lambda: pivot([*MEASURES, "lead_id:count_distinct"]), max(args.runs // 2, 1)
                ),
            ),
            (
                f"naive mail.message read_group as {user.login}",
                median_ms(lambda: naive(uenv), max(args.naive_runs - 2, 1)),
            ),
            (
                "naive mail.message read_group as superuser",
                median_ms(lambda: naive(env), args.naive_runs),
            ),
        ]
        groups = cells()
        print(
            f"\n{len(groups)} operator x outcome cells, "
            f"{sum(g['call_count'] for g in groups):,} calls"
        )
        print(f"{'aggregation (median of runs, warm)':<52} {'median':>9} {'min':>9} {'max':>9}")
        for label, (med, low, high) in results:
            print(f"{label:<52} {med:>7.0f}ms {low:>7.0f}ms {high:>7.0f}ms")

        with captured_queries(cr) as queries:
            cells()
        for query, params in queries:
            if "GROUP BY" not in query or "lead_flow_report" not in query:
                continue
            nodes, extras = plan_summary(explain(cr, query, params))
            source = "daily totals" if "lead_flow_report_daily" in query else "entries"
            print(f"\nEXPLAIN (ANALYZE) of the cells query on the {source}:")
            for node in nodes:
                print("  " + node)
            for extra in extras:
                print("  " + extra)
        cr.rollback()


if __name__ == "__main__":
    main()
