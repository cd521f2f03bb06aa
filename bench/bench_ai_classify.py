#!/usr/bin/env python3
"""Benchmark the scheduled AI classification against a local fake OpenAI server.

    bench/bench_ai_classify.py -d lf_ai_bench --create-db --notes 10000

Inserts --notes pending operator notes with SQL (on --leads leads made through the ORM),
points the real ``openai`` client at an in-process fake chat-completions server (127.0.0.1,
answering after --latency seconds; nothing leaves the machine), runs
``lead.flow.log._cron_ai_classify()`` once with "notes per run" = --notes, and prints
notes/s, peak Python memory (tracemalloc) and the process's max RSS. The database keeps
the data; drop it afterwards (``dropdb DB``).
"""

import argparse
import hashlib
import importlib.util
import logging
import os
import resource
import subprocess
import sys
import time
import tracemalloc

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = ("positive", "negative", "partial", "unclassified")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--create-db", action="store_true", help="create DB and install first")
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.02, help="fake server delay (s)")
    parser.add_argument("--no-tracemalloc", action="store_true")
    return parser.parse_args()


def load_fake_server():
    path = os.path.join(REPO, "lead_flow", "tests", "fake_openai.py")
    spec = importlib.util.spec_from_file_location("lead_flow_fake_openai", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FakeOpenAI


def odoo_registry(database):
    import odoo
    from odoo.tools import config

    addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    config.parse_config(["-d", database, f"--addons-path={REPO},{addons}", "--log-level=warn"])
    return odoo, odoo.modules.registry.Registry(database)


def create_db(database):
    import odoo

    addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    subprocess.run(["createdb", database], check=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", "-d", database, f"--addons-path={REPO},{addons}"]
        + ["-i", "lead_flow", "--without-demo=all", "--stop-after-init", "--log-level=warn"],
        check=True,
    )


def fill(env, notes, leads):
    """--leads leads (ORM, no tracking) and --notes pending manual notes (one SQL insert)."""
    cr = env.cr
    Lead = env["crm.lead"].with_context(tracking_disable=True, mail_create_nolog=True)
    lead_ids = Lead.create(
        [{"name": f"AI bench lead {i}", "type": "lead"} for i in range(leads)]
    ).ids
    type_id = env.ref("lead_flow.log_type_call").id
    cr.execute(
        """
        INSERT INTO lead_flow_log (lead_id, user_id, date, type_id, body, origin, outcome,
                                   undone, closes_lead, ai_attempts,
                                   create_uid, write_uid, create_date, write_date)
        SELECT (%s::int[])[1 + n %% %s], 2,
               (now() AT TIME ZONE 'UTC') - make_interval(secs => n), %s,
               'Bench call ' || n || ': ' || (ARRAY[
                   'customer wants the offer, call on Monday',
                   'not interested, asked not to call again',
                   'no answer, voicemail left',
                   'talked about prices, will think about it'])[1 + n %% 4],
               'manual', 'unclassified', FALSE, FALSE, 0,
               2, 2, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM generate_series(1, %s) n
        """,
        [lead_ids, len(lead_ids), type_id, notes],
    )


def main():
    args = parse_args()
    if args.create_db:
        create_db(args.database)
    _odoo, registry = odoo_registry(args.database)
    from odoo import SUPERUSER_ID, api

    fake_openai = load_fake_server()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request

    def responder(note, count):
        label = LABELS[hashlib.md5(note.encode()).digest()[0] % 4]
        return ("sleep", args.latency, label) if args.latency else label

    with fake_openai(responder, keep_requests=False) as server, registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        started = time.perf_counter()
        fill(env, args.notes, args.leads)
        ICP = env["ir.config_parameter"]
        for key, value in {
            "ai_enabled": "True",
            "ai_api_key": "sk-bench",
            "ai_model": "bench-model",
            "ai_base_url": server.base_url,
            "ai_max_per_run": str(args.notes),
            "ai_batch_size": str(args.batch_size),
            "ai_concurrency": str(args.concurrency),
            "ai_timeout": "30",
            "ai_max_retries": "0",
        }.items():
            ICP.set_param(f"lead_flow.{key}", value)
        cr.commit()
        fill_time = time.perf_counter() - started
        print(f"filled {args.notes} notes on {args.leads} leads in {fill_time:.1f}s")

        cr.execute("SELECT count(*) FROM lead_flow_log WHERE outcome_source = 'ai'")
        classified_before = cr.fetchone()[0]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if not args.no_tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        env["lead.flow.log"]._cron_ai_classify()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if not args.no_tracemalloc else 0
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        cr.execute(
            "SELECT count(*) FILTER (WHERE outcome_source = 'ai'), "
            "count(*) FILTER (WHERE outcome_source IS NULL AND origin = 'manual') "
            "FROM lead_flow_log"
        )
        classified, pending = cr.fetchone()
        classified -= classified_before
        duplicates = sum(1 for count in server.counts.values() if count > 1)
        print(
            f"settings: batch={args.batch_size} concurrency={args.concurrency} "
            f"latency={args.latency}s per request, "
            f"tracemalloc={'off' if args.no_tracemalloc else 'on'}"
        )
        print(
            f"classified {classified} notes ({pending} pending) with {sum(server.counts.values())} "
            f"requests, {duplicates} notes sent twice"
        )
        print(f"time {elapsed:.1f}s -> {classified / elapsed:.0f} notes/s")
        if not args.no_tracemalloc:
            print(f"peak traced Python memory during the run: {peak / 2**20:.1f} MiB")
        print(
            f"max RSS: {rss_before / 1024:.0f} MiB before the run, {rss_after / 1024:.0f} MiB after"
        )
    return 0 if classified >= args.notes and not duplicates else 1


if __name__ == "__main__":
    sys.exit(main())
