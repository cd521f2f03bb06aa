#!/usr/bin/env python3
"""Time the Returns list (Lead Flow > Returns) at 100,000 returns, against the naive way.

    python3 bench/bench_returns.py -d DB [--returns 100000] [--runs 9] [--login admin]

DB holds leads from ``tools/generate_data.py`` and an up-to-date lead_flow. The script
adds ``--returns`` returns by SQL (one per lead, states mixed, about 10% pending; a
previous run's returns are replaced), then prints the median server-side time, as
``--login`` (record rules apply), of what the web client asks when the menu opens:
``web_search_read`` of the first 80 rows (default filter Pending, and with no filter) with
the list's fields and the count, and then the naive way: ``search`` of the same rows,
then one ``read`` per row. The EXPLAIN of the list's query follows. Not a test.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_report import captured_queries, explain, odoo_registry, plan_summary

LIST_SPEC = {
    "lead_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "date": {},
    "reason_id": {"fields": {"display_name": {}}},
    "state": {},
    "decided_by_id": {"fields": {"display_name": {}}},
    "decided_at": {},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--returns", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--login", default="admin")
    return parser.parse_args()


def load_returns(cr, count):
    """``count`` returns on the newest leads, by SQL: states 10% pending, 60% approved."""
    cr.execute("DELETE FROM lead_flow_return")
    cr.execute(
        """
        INSERT INTO lead_flow_return (lead_id, user_id, date, reason_id, state, decided_by_id,
                                      decided_at, team_id, company_id, note,
                                      create_uid, create_date, write_uid, write_date)
        SELECT l.id, COALESCE(l.user_id, 2), now() - (n %% 90) * interval '1 day',
               (SELECT id FROM lead_flow_return_reason ORDER BY id
                 OFFSET n %% (SELECT count(*) FROM lead_flow_return_reason) LIMIT 1),
               CASE WHEN n %% 10 = 0 THEN 'pending' WHEN n %% 10 < 7 THEN 'approved'
                    ELSE 'denied' END,
               CASE WHEN n %% 10 = 0 THEN NULL ELSE 2 END,
               CASE WHEN n %% 10 = 0 THEN NULL ELSE now() END,
               l.team_id, l.company_id, 'Benchmark return', 2, now(), 2, now()
          FROM (SELECT id, user_id, team_id, company_id, row_number() OVER () AS n
                  FROM crm_lead ORDER BY id DESC LIMIT %s) l
        """,
        [count],
    )
    cr.execute("ANALYZE lead_flow_return")


def median_ms(func, runs):
    func()
    times = []
    for _i in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main():
    args = parse_args()
    odoo, registry = odoo_registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "lead.flow.return" not in env:
            sys.exit(f"lead_flow is not up to date in {args.database}: run -u lead_flow first")
        start = time.perf_counter()
        load_returns(cr, args.returns)
        cr.commit()
        cr.execute("SELECT count(*) FROM lead_flow_return")
        returns = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM crm_lead")
        leads = cr.fetchone()[0]
        user = env["res.users"].search([("login", "=", args.login)])
        print(
            f"data: {leads:,} leads, {returns:,} returns (loaded in "
            f"{time.perf_counter() - start:.1f}s); user {user.login}"
        )
        Return = env(user=user.id, context={"lang": "en_US", "tz": "UTC"})["lead.flow.return"]

        def web_list(domain):
            def run():
                Return.env.invalidate_all()
                Return.web_search_read(
                    domain,
                    LIST_SPEC,
                    offset=0,
                    limit=80,
                    order="date desc, id desc",
                    count_limit=10001,
                )

            return run

        def naive(domain):
            def run():
                Return.env.invalidate_all()
                rows = Return.search(domain, limit=80, order="date desc, id desc")
                Return.search_count(domain)
                for row in rows:
                    row.read(list(LIST_SPEC))

            return run

        for label, domain in (
            ("Pending (default filter)", [("state", "=", "pending")]),
            ("all returns", []),
        ):
            fast, fast_max = median_ms(web_list(domain), args.runs)
            slow, slow_max = median_ms(naive(domain), args.runs)
            print(
                f"{label:<26} web_search_read p50 {fast:6.1f} ms (max {fast_max:6.1f}) | "
                f"naive search + read per row p50 {slow:6.1f} ms (max {slow_max:6.1f})"
            )
        with captured_queries(cr) as queries:
            Return.env.invalidate_all()
            Return.web_search_read([], LIST_SPEC, limit=80, order="date desc, id desc")
        query, params = next(
            (q, p) for q, p in queries if 'FROM "lead_flow_return"' in q and "LIMIT" in q
        )
        nodes, extras = plan_summary(explain(cr, query, params))
        print("EXPLAIN of the list query:")
        for line in nodes + extras:
            print("   ", line)
        cr.rollback()


if __name__ == "__main__":
    main()
