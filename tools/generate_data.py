#!/usr/bin/env python3
"""Fill a lead_flow database with benchmark data, fast.

    tools/generate_data.py -d DB --leads 1000000 --logs 5000000

Creates --operators Lead Flow operators through the ORM (a handful of records), then
inserts N leads and M log entries, each entry with its chatter message, with
``INSERT ... SELECT generate_series`` in chunks: minutes where the ORM would take hours.
Log entries go to the first ``--contacted`` share of the new leads (the rest stay never
contacted, as in a real queue), dated over the last ``--days`` days; afterwards each lead's
Lead Flow status, last contact and last outcome are derived from its entries in one UPDATE.
Everything is deterministic (no random()), so two runs with the same arguments give the
same data.
"""

import argparse
import os
import subprocess
import sys
import time

CHUNK = 250_000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=500_000)
    parser.add_argument("--operators", type=int, default=16)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument(
        "--contacted", type=float, default=0.6, help="share of the new leads that get entries"
    )
    parser.add_argument("--create-db", action="store_true", help="create DB and install first")
    return parser.parse_args()


def odoo_env(database):
    # imported late so that --help works without Odoo
    import odoo
    from odoo.tools import config

    addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    config.parse_config(["-d", database, f"--addons-path={REPO},{addons}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(database)
    return odoo, registry


def ensure_operators(env, count):
    Users = env["res.users"].with_context(no_reset_password=True)
    groups = [
        env.ref("base.group_user").id,
        env.ref("lead_flow.group_lead_flow_operator").id,
        env.ref("sales_team.group_sale_salesman_all_leads").id,
    ]
    users = Users.search([("login", "=like", "bench_op_%")], order="login")
    for i in range(len(users), count):
        users |= Users.create(
            {
                "name": f"Bench Operator {i + 1:02d}",
                "login": f"bench_op_{i + 1:02d}",
                "password": f"bench_op_{i + 1:02d}",
                "groups_id": [(6, 0, groups)],
            }
        )
    return users[:count]


def timed(label, cr, query, params=None):
    start = time.perf_counter()
    cr.execute(query, params)
    print(f"  {label}: {cr.rowcount} rows in {time.perf_counter() - start:.1f}s", flush=True)
    return cr.rowcount


def insert_leads(cr, env, count):
    params = {
        "company": env.company.id,
        "team": env.ref("sales_team.team_sales_department").id,
        "stage": env["crm.stage"].search([], order="sequence", limit=1).id,
    }
    cr.execute("SELECT coalesce(max(id), 0) FROM crm_lead")
    before = cr.fetchone()[0]
    for offset in range(0, count, CHUNK):
        size = min(CHUNK, count - offset)
        timed(
            f"leads {offset + size}/{count}",
            cr,
            """
            INSERT INTO crm_lead (name, type, active, company_id, team_id, stage_id, priority,
                contact_name, partner_name, email_from, email_normalized, phone, phone_sanitized,
                probability, lead_flow_state, create_date, write_date, create_uid, write_uid)
            SELECT 'Bench lead ' || g, 'lead', true, %(company)s, %(team)s, %(stage)s,
                (g %% 4)::text, 'Contact ' || g, 'Company ' || (g %% 5000),
                'contact' || g || '@bench.example.com', 'contact' || g || '@bench.example.com',
                '+39 02 ' || lpad(g::text, 9, '0'), '+3902' || lpad(g::text, 9, '0'),
                10, 'none',
                now() - ((g * 7919) %% 31536000) * interval '1 second', now(), 1, 1
            FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g
            """,
            dict(params, lo=offset + 1, hi=offset + size),
        )
    # One session inserts alone, so the new ids are contiguous from here.
    cr.execute("SELECT min(id) FROM crm_lead WHERE id > %s", [before])
    return cr.fetchone()[0]


def insert_logs(cr, env, users, first_lead, contacted_leads, count, days):
    """Insert ``count`` chatter messages, then one log entry per message."""
    types = env["lead.flow.log.type"].search([("code", "in", ["call", "sms", "email"])])
    subtype = env.ref("lead_flow.mt_lead_flow_note").id
    cr.execute("SELECT coalesce(max(id), 0) FROM mail_message")
    first_message = cr.fetchone()[0] + 1
    params = {
        "subtype": subtype,
        "first_lead": first_lead,
        "span": max(contacted_leads, 1),
        "seconds": days * 86400,
        "partners": [u.partner_id.id for u in users],
        "n_users": len(users),
    }
    for offset in range(0, count, CHUNK):
        size = min(CHUNK, count - offset)
        timed(
            f"messages {offset + size}/{count}",
            cr,
            """
            INSERT INTO mail_message (model, res_id, message_type, subtype_id, author_id,
                body, date, create_date, write_date, create_uid, write_uid)
            SELECT 'crm.lead', (%(first_lead)s + (g * 104729) %% %(span)s)::int, 'comment',
                %(subtype)s,
                (%(partners)s::int[])[1 + g %% %(n_users)s],
                '<p>Bench call ' || g || '</p>',
                now() - ((g * 15485863) %% %(seconds)s) * interval '1 second',
                now(), now(), 1, 1
            FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g
            """,
            dict(params, lo=offset + 1, hi=offset + size),
        )
    author_to_user = [(u.partner_id.id, u.id) for u in users]
    timed(
        "log entries",
        cr,
        """
        INSERT INTO lead_flow_log (lead_id, user_id, date, type_id, type_category, body, origin,
            outcome, outcome_source, closes_lead, message_id, team_id, company_id, undone,
            create_date, write_date, create_uid, write_uid)
        SELECT m.res_id, a.user_id, m.date, (%(types)s::int[])[1 + m.id %% %(n_types)s],
            t.category, 'Bench call ' || m.id, 'manual',
            (ARRAY['positive','positive','positive','negative','negative','negative',
                   'partial','partial','unclassified','unclassified'])[1 + m.id %% 10],
            CASE WHEN m.id %% 10 < 8 THEN 'manual' END,
            m.id %% 20 = 0, m.id, l.team_id, l.company_id, false, m.date, m.date, 1, 1
        FROM mail_message m
        JOIN unnest(%(authors)s::int[], %(users)s::int[]) AS a(partner_id, user_id)
            ON a.partner_id = m.author_id
        JOIN crm_lead l ON l.id = m.res_id
        JOIN lead_flow_log_type t ON t.id = (%(types)s::int[])[1 + m.id %% %(n_types)s]
        WHERE m.id >= %(first_message)s AND m.subtype_id = %(subtype)s
        """,
        {
            "types": types.ids,
            "n_types": len(types),
            "authors": [a for a, _u in author_to_user],
            "users": [u for _a, u in author_to_user],
            "first_message": first_message,
            "subtype": subtype,
        },
    )
    timed(
        "lead status from entries",
        cr,
        """
        UPDATE crm_lead l
           SET lead_flow_last_contact_at = s.last_date,
               lead_flow_outcome = s.last_outcome,
               lead_flow_state = CASE WHEN s.closed THEN 'done' ELSE 'in_progress' END
          FROM (SELECT lead_id, max(date) AS last_date, bool_or(closes_lead) AS closed,
                       (array_agg(outcome ORDER BY date DESC))[1] AS last_outcome
                  FROM lead_flow_log WHERE lead_id >= %(first_lead)s GROUP BY lead_id) s
         WHERE l.id = s.lead_id
        """,
        {"first_lead": first_lead},
    )


def main():
    args = parse_args()
    if args.create_db:
        subprocess.run(
            [sys.executable, "-m", "odoo", "-d", args.database, "-i", "lead_flow",
             "--without-demo=all", "--stop-after-init", "--log-level=warn",
             f"--addons-path={REPO},{_odoo_addons()}"],
            check=True,
        )  # fmt: skip
    odoo, registry = odoo_env(args.database)
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "lead.flow.log" not in env:
            sys.exit(f"lead_flow is not installed (or not up to date) in {args.database}")
        users = ensure_operators(env, args.operators)
        env.flush_all()
        print(f"{len(users)} operators: {', '.join(users.mapped('login'))}")
        first_lead = insert_leads(cr, env, args.leads)
        contacted = int(args.leads * args.contacted)
        if args.logs and contacted:
            insert_logs(cr, env, users, first_lead, contacted, args.logs, args.days)
        cr.commit()
        for table in ("crm_lead", "mail_message", "lead_flow_log", "lead_flow_queue_index"):
            cr.execute(f"ANALYZE {table}")  # fresh statistics for the planner
        cr.commit()
    print(f"done in {time.perf_counter() - start:.0f}s")


def _odoo_addons():
    import odoo

    return os.path.join(os.path.dirname(odoo.__file__), "addons")


if __name__ == "__main__":
    main()
