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

The routing mix of Next lead (issue 15), all in the same bulk inserts:

    tools/generate_data.py -d DB --leads 1000000 --callback-ratio 0.10 --timezones 6 \
        --blacklist-ratio 0.05

``--callback-ratio``: that share of the new leads has a callback, due from an hour ago to two
days ahead, ``--personal-callbacks`` of them for one of the operators, the rest shared;
``--timezones N``: the leads' contacts are spread over the first N of TIMEZONES (one contact
per zone, its ``tz`` set: lead_flow_lead_tz resolves the lead's zone from it);
``--blacklist-ratio``: the phone numbers of that share of the new leads go on Odoo's phone
blacklist (active), inserted before the leads, so that the queue table's trigger leaves
those leads out. The queue table is then checked against crm_lead (count, time zones, and
queue_index.reconcile, which must find nothing to repair).
"""

import argparse
import os
import subprocess
import sys
import time

CHUNK = 250_000
TIMEZONES = (
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
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
    parser.add_argument(
        "--callback-ratio", type=float, default=0.0, help="share of the new leads with a callback"
    )
    parser.add_argument(
        "--personal-callbacks", type=float, default=0.5, help="share of callbacks for an operator"
    )
    parser.add_argument(
        "--timezones",
        type=int,
        default=0,
        help=f"contacts over the first N of {len(TIMEZONES)} zones",
    )
    parser.add_argument(
        "--blacklist-ratio", type=float, default=0.0, help="share of new leads' numbers blacklisted"
    )
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


def ensure_contacts(env, count):
    """One contact per time zone (the first ``count`` of TIMEZONES), ``tz`` set."""
    Partner = env["res.partner"]
    contacts = Partner
    for zone in TIMEZONES[:count]:
        name = f"Bench contact {zone}"
        contacts |= Partner.search([("name", "=", name)], limit=1) or Partner.create(
            {"name": name, "tz": zone}
        )
    return contacts


# Which of the new leads (g: 1..count) get a callback / a blacklisted number: two unrelated
# deterministic spreads (g times a prime, modulo 1000, below the share in thousandths).
CALLBACK_OF = "(g * 7919) %% 1000 < %(callback_permille)s"
BLACKLISTED_OF = "(g * 104729) %% 1000 < %(blacklist_permille)s"
PHONE_OF = "'+3902' || lpad(g::text, 9, '0')"


def routing_params(args, users, contacts):
    return {
        "callback_permille": round(args.callback_ratio * 1000),
        "personal_permille": round(args.personal_callbacks * 1000),
        "blacklist_permille": round(args.blacklist_ratio * 1000),
        "contacts": contacts.ids or [None],
        "n_contacts": max(len(contacts), 1),
        "operators": users.ids,
        "n_operators": len(users),
        "callback_span": 49 * 3600,  # seconds: from an hour ago to two days ahead
    }


def insert_blacklist(cr, count, routing):
    """Blacklist the numbers of the chosen share of leads 1..count (before the leads go in:
    the queue table's insert trigger then leaves them out, no lead to take out afterwards)."""
    if not routing["blacklist_permille"]:
        return
    timed(
        "phone blacklist",
        cr,
        f"""
        INSERT INTO phone_blacklist (number, active, create_date, write_date, create_uid,
            write_uid)
        SELECT {PHONE_OF}, true, now(), now(), 1, 1
          FROM generate_series(1, %(count)s::bigint) g
         WHERE {BLACKLISTED_OF}
        ON CONFLICT (number) DO UPDATE SET active = true
        """,
        dict(routing, count=count),
    )


def insert_leads(cr, env, count, routing):
    params = {
        "company": env.company.id,
        "team": env.ref("sales_team.team_sales_department").id,
        "stage": env["crm.stage"].search([], order="sequence", limit=1).id,
        **routing,
    }
    cr.execute("SELECT coalesce(max(id), 0) FROM crm_lead")
    before = cr.fetchone()[0]
    for offset in range(0, count, CHUNK):
        size = min(CHUNK, count - offset)
        timed(
            f"leads {offset + size}/{count}",
            cr,
            f"""
            INSERT INTO crm_lead (name, type, active, company_id, team_id, stage_id, priority,
                contact_name, partner_name, email_from, email_normalized, phone, phone_sanitized,
                probability, lead_flow_state, create_date, write_date, create_uid, write_uid,
                partner_id, lead_flow_callback_at, lead_flow_callback_user_id)
            SELECT 'Bench lead ' || g, 'lead', true, %(company)s, %(team)s, %(stage)s,
                (g %% 4)::text, 'Contact ' || g, 'Company ' || (g %% 5000),
                'contact' || g || '@bench.example.com', 'contact' || g || '@bench.example.com',
                '+39 02 ' || lpad(g::text, 9, '0'), {PHONE_OF},
                10, 'none',
                now() - ((g * 7919) %% 31536000) * interval '1 second', now(), 1, 1,
                -- g / 4: each zone gets every priority (g %% 4)
                (%(contacts)s::int[])[1 + (g / 4) %% %(n_contacts)s],
                CASE WHEN {CALLBACK_OF} THEN date_trunc('second', now()) - interval '1 hour'
                    + ((g * 15485863) %% %(callback_span)s) * interval '1 second' END,
                CASE WHEN {CALLBACK_OF} AND (g * 31) %% 1000 < %(personal_permille)s
                    THEN (%(operators)s::int[])[1 + (g / 7) %% %(n_operators)s] END
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


def check_queue_table(cr, routing):
    """The queue table against crm_lead after the bulk inserts: rows, time zones, drift."""
    from odoo.addons.lead_flow.models import queue_index

    cr.execute(f"SELECT count(*) FROM crm_lead l WHERE {queue_index.QUEUED_LEAD.format(t='l.')}")
    expected = cr.fetchone()[0]
    cr.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE q.callback_at IS NOT NULL),
                   count(*) FILTER (WHERE q.callback_user_id IS NOT NULL),
                   count(*) FILTER (WHERE q.tz IS DISTINCT FROM {queue_index.LEAD_TZ.format(t="l")})
              FROM {queue_index.TABLE} q JOIN crm_lead l ON l.id = q.lead_id"""
    )
    rows, callbacks, personal, wrong_tz = cr.fetchone()
    cr.execute(
        "SELECT count(*) FROM crm_lead l JOIN phone_blacklist b"
        " ON b.number = l.phone_sanitized AND b.active"
    )
    blacklisted = cr.fetchone()[0]
    cr.execute(f"SELECT tz, count(*) FROM {queue_index.TABLE} GROUP BY tz ORDER BY tz")
    zones = ", ".join(f"{tz} {n}" for tz, n in cr.fetchall())
    repaired = queue_index.reconcile(cr)
    print(
        f"  queue table: {rows} rows for {expected} queued leads ({blacklisted} leads"
        f" blacklisted), {callbacks} callbacks ({personal} personal), {wrong_tz} wrong time"
        f" zones, {repaired} rows repaired by reconcile; zones: {zones}",
        flush=True,
    )
    if rows != expected or wrong_tz or repaired:
        sys.exit("the queue table is out of step with crm_lead")


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
        contacts = ensure_contacts(env, args.timezones)
        env.flush_all()
        routing = routing_params(args, users, contacts)
        insert_blacklist(cr, args.leads, routing)
        first_lead = insert_leads(cr, env, args.leads, routing)
        contacted = int(args.leads * args.contacted)
        if args.logs and contacted:
            insert_logs(cr, env, users, first_lead, contacted, args.logs, args.days)
        check_queue_table(cr, routing)
        cr.commit()
        # The report's daily totals too: filled by a trigger, stale statistics make the
        # console's "calls today" a sequential scan of them.
        tables = (
            "crm_lead",
            "mail_message",
            "lead_flow_log",
            "lead_flow_queue_index",
            "lead_flow_report_daily",
        )
        for table in tables:
            cr.execute(f"ANALYZE {table}")  # fresh statistics for the planner
        cr.commit()
    print(f"done in {time.perf_counter() - start:.0f}s")


def _odoo_addons():
    import odoo

    return os.path.join(os.path.dirname(odoo.__file__), "addons")


if __name__ == "__main__":
    main()
