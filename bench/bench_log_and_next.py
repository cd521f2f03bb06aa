#!/usr/bin/env python3
"""Log & next in-process: what one call costs without the load test's queueing.

    tools/generate_data.py -d lf17_bench --create-db --leads 100000 --logs 100000
    bench/bench_log_and_next.py -d lf17_bench --calls 200

One operator (``--login``, a benchmark operator of the generator) works the queue as the
console does: Next lead once, then ``lead_flow_log_and_next`` on each lead it gets, each
call in a transaction of its own, committed. Printed: the Python CPU time, the commit and
the whole call (wall time, SQL included) per call, p50 / p95 / mean, and the queries of
the request's cursor (the claim runs on a connection of its own: not counted). Its first
calls (``--warmup``) fill Odoo's caches and are left out.

The machine's speed moves by up to 2x over an evening: compare two versions of the code
by alternating their runs (``--addons`` points at the other checkout's root).
"""

import argparse
import os
import statistics
import sys
import time
import uuid

from latency import pct  # bench/, the script's own folder

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--login", default="bench_op_16")
    parser.add_argument("--addons", default=REPO, help="the lead_flow checkout to measure")
    return parser.parse_args()


def line(name, values):
    return (
        f"{name:<24} p50={statistics.median(values):6.2f} ms  p95={pct(values, 95):6.2f} ms"
        f"  mean={statistics.mean(values):6.2f} ms"
    )


def main():
    args = parse_args()
    os.environ["TZ"] = "UTC"  # as odoo-bin
    import odoo  # after TZ is set, as odoo-bin

    odoo_addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    odoo.tools.config.parse_config(
        ["-d", args.database, f"--addons-path={args.addons},{odoo_addons}", "--log-level=warn"]
    )
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.database)
    context = {"lang": "en_US", "tz": "Europe/Paris"}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        uid = env["res.users"].search([("login", "=", args.login)]).id
        if not uid:
            sys.exit(f"no user {args.login}: generate the database with tools/generate_data.py")
        cr.execute(
            "UPDATE crm_lead SET lead_flow_reserved_user_id = NULL,"
            " lead_flow_reserved_at = NULL WHERE lead_flow_reserved_user_id = %s",
            [uid],
        )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, uid, context)
        data = env["crm.lead"].lead_flow_console_next()
    cpu, commit, wall, queries = [], [], [], []
    for n in range(args.warmup + args.calls):
        if not data["lead"]:
            sys.exit("the queue is empty")
        start, start_cpu = time.perf_counter(), time.process_time()
        cr = registry.cursor()
        try:
            first_query = cr.sql_log_count
            env = odoo.api.Environment(cr, uid, context)
            data = env["crm.lead"].lead_flow_log_and_next(
                data["lead"]["id"],
                f"Benchmark call {uuid.uuid4().hex}",
                outcome="partial",
                setup_company_id=data["setup_company_id"],
            )
            env.flush_all()
            count = cr.sql_log_count - first_query
            start_commit = time.perf_counter()
            cr.commit()
            end = time.perf_counter()
        finally:
            cr.close()
        if n >= args.warmup:
            cpu.append((time.process_time() - start_cpu) * 1000)
            commit.append((end - start_commit) * 1000)
            wall.append((end - start) * 1000)
            queries.append(count)
    print(f"{args.calls} calls as {args.login} on {args.database}, code in {args.addons}")
    print(line("Python CPU", cpu))
    print(line("commit", commit))
    print(line("whole call (wall)", wall))
    print(f"queries per call: {statistics.median(queries):.0f}")
    print(f"load average: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
