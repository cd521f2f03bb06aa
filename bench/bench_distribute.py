#!/usr/bin/env python3
"""Distribute 100,000 new leads over 1,000 open orders (issue 18), against the naive way.

    python3 bench/bench_distribute.py [--db lfo_bench] [--leads 100000] [--orders 1000] \
        [--buyers 300] [--reuse] [--naive-sample 2000] [--profile]

Without ``--reuse`` the database is dropped and created again with lead_flow_order (no
demo data: every partner, order and lead in it is the benchmark's); with ``--reuse`` an
existing one is kept and its benchmark data put back to undelivered. The data (seeded,
the same each time):

* ``--buyers`` buyer companies (ORM, a few hundred rows), 40% in a time zone other than
  UTC (Europe/Rome, America/New_York, America/Los_Angeles, Asia/Tokyo, Pacific/Auckland);
  12% have a portal admin user, 10% of all buyers with New lead notification (e-mails).
* ``--orders`` open orders (bulk SQL from Python lists): quantity 50-500, 15% with an
  amount cap (a third of them with no quantity), 60% a daily cap (half of them with a
  weekly and a monthly cap too), 10% weekly only, 10% monthly only, nested and under the
  order's leads (the caps, not the quantities, leave leads over); 10% anywhere (these
  have lead types), else one country (8 countries with states and ZIP codes, weighted like
  the leads), of which 25% with 1-3 states and 15% with ZIP prefixes (GB's with letters);
  30% with 1-2 lead types (crm tags); started today up to 40 days ago (buyer's time), 20%
  with an end date, 1% ended yesterday (still open: the daily cron closes them, the
  distributor must skip them). 30% of the orders started 4+ days ago have deliveries from
  two days ago (under their caps, in the same week and month: the weekly and monthly caps
  count them; leads in the order's area and of its type), of which 10% returned and
  redistributed (back in the pool: never to go to the same buyer again).
* ``--leads`` new undelivered leads (``INSERT ... SELECT generate_series``, crm_lead's
  triggers on): 70% created in the last 6 hours, 30% up to 48 hours ago (orders started
  today do not take them); countries weighted (US 30%, IT 20%, ...), 4% in countries no
  order names, 2% with none; states mostly among each country's first ten; ZIP codes (10%
  empty, GB's in lower case with a space); 85% one lead type, 5% two, 10% none.

Then two distributors at once (``--threads``): threads each with its own registry
cursor, each calling ``crm.lead.with_context(lead_flow_distribute_commit=True)
.lead_flow_distribute()`` as superuser (the cron's way) until a call returns 0, then one
last call must deliver 0. leads/s = delivered / wall time. Batch times (locking the
orders to the end of the batch's statements and e-mails, commit excluded), their phases
and retries on serialization conflicts come from wrappers around the distributor's
methods.

SQL checks after the run: leads delivered twice (two current deliveries, or the lead's
buyer/order not its delivery's), caps exceeded (per order, deliveries per buyer-local
day/week/month over the cap, net delivered over the order's leads), deliveries outside
their order's area/types, to a lead created before the order's start, outside its dates,
to a buyer who had the lead; counters (delivered/returned count vs rows); filled orders
still open; leads left undelivered and why (no order matches; the matching orders are
full or capped); leads left while a matching order has room (must be 0).

Then the naive way on the same data: everything put back to undelivered by SQL, and for
each of the first ``--naive-sample`` leads: ORM search of the open orders matching its
country, state and types, ZIP prefixes, dates and buyers who had it checked in Python,
caps counted with search_count on the deliveries, the fairest picked, the lead written
and the delivery created with the ORM, the counter written, filled orders closed, one
e-mail per lead (one thread, committed every 100 leads). Same SQL checks. ``--profile``:
cProfile of one batch (rolled back) before the naive way. Not a test.
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import random
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "LFO bench"
COUNTRIES = {  # code: weight of the leads (%), with states and ZIP codes
    "US": 30,
    "IT": 20,
    "DE": 12,
    "ES": 10,
    "GB": 8,
    "FR": 6,
    "NL": 5,
    "CA": 3,
}
OTHER_COUNTRIES = ("BR", "MX", "IN", "AU", "RO")  # 4% of the leads, named by no order
NO_COUNTRY = 2  # % of the leads
TIMEZONES = ("Europe/Rome", "America/New_York", "America/Los_Angeles", "Asia/Tokyo",
             "Pacific/Auckland")  # fmt: skip
GB_AREAS = ("sw", "ec", "n", "e", "w", "se", "nw", "b", "m", "l")
TAGS = ("Solar", "Insurance", "Mortgage", "Loans", "Energy", "Telecom")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="lfo_bench")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2, help="distributors at once")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its data")
    parser.add_argument("--naive-sample", type=int, default=2_000, help="0: no naive way")
    parser.add_argument("--profile", action="store_true", help="cProfile of one batch")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    if not args.db.startswith("lfo_bench"):
        parser.error("the database name must start with lfo_bench")
    return args


# ----------------------------------------------------------------------
# Database and data
# ----------------------------------------------------------------------
def odoo_addons():
    import odoo

    return os.path.join(os.path.dirname(odoo.__file__), "addons")


def database_exists(database):
    return (
        subprocess.run(
            ["psql", "-d", database, "-Atc", "select 1"], capture_output=True, check=False
        ).returncode
        == 0
    )


def ensure_database(database, reuse):
    if reuse and database_exists(database):
        return
    subprocess.run(["dropdb", "--if-exists", database], check=True)
    print(f"== installing lead_flow_order on {database} (no demo data)")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "odoo", "-d", database,
         f"--addons-path={REPO},{odoo_addons()}", "-i", "lead_flow_order",
         "--without-demo=all", "--stop-after-init", "--log-level=warn",
         "--http-port=8299"],
        check=True,
    )  # fmt: skip
    print(f"   installed in {time.perf_counter() - start:.0f} s")


def odoo_registry(database):
    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-d", database, f"--addons-path={REPO},{odoo_addons()}", "--log-level=warn"]
    )
    return odoo, odoo.modules.registry.Registry(database)


def weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_buyers(env, rng, count):
    """Buyer companies (ORM: a few hundred rows), some with a portal admin user."""
    tzs = [rng.choice(TIMEZONES) if rng.random() < 0.4 else False for _n in range(count)]
    buyers = env["res.partner"].create(
        [
            {"name": f"{PREFIX} buyer {n + 1:03d}", "is_company": True,
             "lead_flow_is_buyer": True, "tz": tzs[n],
             "email": f"buyer{n + 1}@lfo-bench.example.com"}
            for n in range(count)
        ]
    )  # fmt: skip
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True)
    portal = env.ref("base.group_portal")
    admins = 0
    for n, buyer in enumerate(buyers):
        if n % 25 >= 3:  # 12% of the buyers; 10% notified (5 in 6)
            continue
        user = Users.create(
            {"name": f"{PREFIX} admin {n + 1:03d}", "login": f"lfo_bench_admin_{n + 1}",
             "email": f"admin{n + 1}@lfo-bench.example.com",
             "groups_id": [(6, 0, portal.ids)], "lead_flow_buyer_admin": True,
             "lead_flow_new_lead_notify": n % 25 < 2 or n % 50 == 2}
        )  # fmt: skip
        user.partner_id.parent_id = buyer
        admins += 1
    return buyers, admins


def area_catalog(cr):
    """{code: (country id, [state ids, the first ten first])} and the other countries."""
    cr.execute(
        "SELECT c.code, c.id, COALESCE(array_agg(s.id ORDER BY s.id)"
        " FILTER (WHERE s.id IS NOT NULL), '{}') FROM res_country c"
        " LEFT JOIN res_country_state s ON s.country_id = c.id"
        " WHERE c.code = ANY(%s) GROUP BY c.code, c.id",
        [list(COUNTRIES) + list(OTHER_COUNTRIES)],
    )
    return {code: (country_id, states) for code, country_id, states in cr.fetchall()}


def make_orders(env, rng, buyers, tags, count, today):
    """``count`` open orders by one INSERT ... SELECT FROM unnest, and their areas/types."""
    cr = env.cr
    catalog = area_catalog(cr)
    company = env.company.id
    rows, countries, states, order_tags = [], [], [], []
    for n in range(count):
        target = rng.randint(50, 500)
        quantity, amount_cap, price = target, 0, float(rng.choice((5, 8, 10, 12, 15, 20, 25)))
        kind = rng.random()
        if kind < 0.05:  # amount cap only
            quantity, amount_cap = 0, target * price + rng.randint(0, int(price) - 1)
        elif kind < 0.15:  # both: the smaller decides
            amount_cap = rng.randint(40, 500) * price
            target = min(target, int(amount_cap // price))
        cap_day = cap_week = cap_month = 0
        caps = rng.random()
        if caps < 0.6:
            cap_day = rng.randint(5, min(60, target))
            if caps < 0.3:
                cap_week = rng.randint(cap_day, min(cap_day * 5, target))
                cap_month = rng.randint(cap_week, target)
        elif caps < 0.7:
            cap_week = rng.randint(20, min(200, target))
        elif caps < 0.8:
            cap_month = rng.randint(30, target)
        age = rng.choice((0, 0, 1, 2, 3, 5, 8, 12, 20, 30, 40))
        start = today - timedelta(days=age)
        end = None
        if rng.random() < 0.01:
            start, end = today - timedelta(days=age + 10), today - timedelta(days=1)
        elif rng.random() < 0.2:
            end = today + timedelta(days=rng.randint(1, 60))
        zips = None
        if rng.random() < 0.1:  # anywhere, of some types
            kinds = rng.sample(tags, rng.randint(1, 2))
        else:
            code = weighted(rng, COUNTRIES)
            country_id, state_ids = catalog[code]
            countries.append((n, country_id))
            area = rng.random()
            if area < 0.25 and state_ids:
                for state_id in rng.sample(state_ids[:10], rng.randint(1, 3)):
                    states.append((n, state_id))
            elif area < 0.40:
                pool = GB_AREAS if code == "GB" else "0123456789"
                zips = ", ".join(p.upper() for p in rng.sample(pool, rng.randint(1, 2)))
            kinds = rng.sample(tags, rng.randint(1, 2)) if rng.random() < 0.3 else []
        order_tags.extend((n, tag) for tag in kinds)
        rows.append(
            (f"LFO/BENCH/{n + 1:05d}", rng.choice(buyers), quantity, amount_cap, price,
             cap_day, cap_week, cap_month, start, end, zips)
        )  # fmt: skip
    columns = list(zip(*rows, strict=True))
    cr.execute(
        """INSERT INTO lead_flow_order
               (name, buyer_id, quantity, amount_cap, price_unit, cap_day, cap_week,
                cap_month, date_start, date_end, zip_prefixes, company_id, state, renewal,
                auto_charge, delivered_count, returned_count, max_return_percent,
                user_id, create_uid, create_date, write_uid, write_date)
           SELECT o.*, %s, 'open', 'none', false, 0, 0, 0, 2, 1,
                  now() at time zone 'UTC', 1, now() at time zone 'UTC'
             FROM unnest(%s::varchar[], %s::int[], %s::int[], %s::numeric[], %s::numeric[],
                         %s::int[], %s::int[], %s::int[], %s::date[], %s::date[],
                         %s::varchar[]) AS o
           RETURNING id""",
        [company, *(list(col) for col in columns)],
    )
    ids = sorted(row[0] for row in cr.fetchall())
    for table, column, pairs in (
        ("lead_flow_order_res_country_rel", "res_country_id", countries),
        ("lead_flow_order_res_country_state_rel", "res_country_state_id", states),
        ("crm_tag_lead_flow_order_rel", "crm_tag_id", order_tags),
    ):
        cr.execute(
            f"INSERT INTO {table} (lead_flow_order_id, {column})"
            " SELECT (%s::int[])[n + 1], v FROM unnest(%s::int[], %s::int[]) AS p(n, v)",
            [ids, [p[0] for p in pairs], [p[1] for p in pairs]],
        )
    return ids


def make_leads(cr, count, catalog, tag_ids, seed):
    """``count`` new undelivered leads: INSERT ... SELECT generate_series (triggers on)."""
    # 1,000 (country, state) slots in the leads' proportions: row i takes slot i.
    rng = random.Random(seed)
    slots = []
    for code, weight in COUNTRIES.items():
        country_id, states = catalog[code]
        for _n in range(weight * 10):
            state_id = None
            if states:
                pool = states[:10] if rng.random() < 0.7 else states
                state_id = rng.choice(pool)
            slots.append((country_id, state_id, code))
    for n in range(40):
        slots.append((catalog[OTHER_COUNTRIES[n % len(OTHER_COUNTRIES)]][0], None, "XX"))
    slots += [(None, None, "XX")] * (1000 - len(slots))
    rng.shuffle(slots)
    cr.execute("SELECT setseed(%s)", [seed / 1000])
    cr.execute(
        """
        WITH r AS MATERIALIZED (
            SELECT g, 1 + floor(random() * 1000)::int AS slot, random() AS z,
                   random() AS age, floor(random() * 100000)::int AS zip_n
              FROM generate_series(1, %(count)s) g),
        s AS (SELECT * FROM unnest(%(countries)s::int[], %(states)s::int[], %(codes)s::text[])
                     WITH ORDINALITY AS s(country_id, state_id, code, slot))
        INSERT INTO crm_lead (name, type, active, company_id, priority, contact_name,
            email_from, email_normalized, phone, probability, lead_flow_state,
            country_id, state_id, zip, create_date, write_date, create_uid, write_uid)
        SELECT %(prefix)s || ' lead ' || r.g, 'lead', true, 1, '0', 'Contact ' || r.g,
               'c' || r.g || '@lfo-bench.example.com', 'c' || r.g || '@lfo-bench.example.com',
               '+1 555 ' || lpad(r.g::text, 7, '0'), 10, 'none',
               s.country_id, s.state_id,
               CASE WHEN r.z < 0.1 THEN NULL
                    WHEN s.code = 'GB' THEN (%(gb)s::text[])[1 + r.zip_n %% 10]
                         || (1 + r.zip_n %% 9) || ' ' || (r.zip_n %% 10) || 'ab'
                    ELSE lpad(r.zip_n::text, 5, '0') END,
               now() at time zone 'UTC' - CASE WHEN r.age < 0.7 THEN r.age / 0.7 * interval '6 h'
                    ELSE interval '6 h' + (r.age - 0.7) / 0.3 * interval '42 h' END,
               now() at time zone 'UTC', 1, 1
          FROM r JOIN s ON s.slot = r.slot
        RETURNING id""",
        {"count": count, "countries": [s[0] for s in slots], "states": [s[1] for s in slots],
         "codes": [s[2] for s in slots], "prefix": PREFIX, "gb": list(GB_AREAS)},
    )  # fmt: skip
    ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """INSERT INTO crm_tag_rel (lead_id, tag_id)
           SELECT id, (%(tags)s::int[])[1 + (id * 7) %% 6] FROM unnest(%(ids)s::int[]) id
            WHERE id %% 20 > 1
           UNION ALL
           SELECT id, (%(tags)s::int[])[1 + ((id * 7) %% 6 + 1) %% 6]
             FROM unnest(%(ids)s::int[]) id WHERE id %% 20 = 2""",
        {"tags": tag_ids, "ids": ids},
    )
    return ids


def make_history(cr, order_ids, seed):
    """Deliveries of two days ago to 30% of the orders started 4+ days ago, under every
    cap and in this week and month (their own leads, created an hour before, in the order's
    area and of its type); 10% of them returned and redistributed: back in the pool, never
    again for the same buyer."""
    cr.execute(
        """
        CREATE TEMP TABLE lfo_h ON COMMIT DROP AS
        WITH o AS (
            SELECT o.id, o.buyer_id,
                   GREATEST(1, LEAST(COALESCE(NULLIF(o.cap_day, 0), 40),
                                     COALESCE(NULLIF(o.cap_week, 0) / 2, 40),
                                     COALESCE(NULLIF(o.cap_month, 0) / 2, 40),
                                     o.quantity / 3 + 1)) AS n,
                   (SELECT min(res_country_id) FROM lead_flow_order_res_country_rel
                     WHERE lead_flow_order_id = o.id) AS country_id,
                   (SELECT min(res_country_state_id) FROM lead_flow_order_res_country_state_rel
                     WHERE lead_flow_order_id = o.id) AS state_id,
                   NULLIF(split_part(o.zip_prefixes, ',', 1), '') || '123' AS zip,
                   (SELECT min(crm_tag_id) FROM crm_tag_lead_flow_order_rel
                     WHERE lead_flow_order_id = o.id) AS tag_id
              FROM lead_flow_order o
             WHERE o.id = ANY(%(ids)s) AND o.date_start <= CURRENT_DATE - 4
               AND (o.date_end IS NULL OR o.date_end >= CURRENT_DATE)
               AND (o.id * 37 + %(seed)s) %% 10 < 3)
        SELECT o.*, k, nextval('crm_lead_id_seq')::int AS lead_id,
               date_trunc('day', now() at time zone 'UTC') - interval '2 days'
               + interval '11 h' + k * interval '1 minute' AS at
          FROM o, generate_series(1, o.n) k;
        INSERT INTO crm_lead (id, name, type, active, company_id, priority, lead_flow_state,
            country_id, state_id, zip, create_date, write_date, create_uid, write_uid,
            lead_flow_buyer_id, lead_flow_order_id, lead_flow_delivered_at)
        SELECT lead_id, %(prefix)s || ' history ' || id || '-' || k, 'lead', true, 1, '0',
               'none', country_id, state_id, zip, at - interval '1 h', at, 1, 1,
               CASE WHEN k %% 10 <> 0 THEN buyer_id END,
               CASE WHEN k %% 10 <> 0 THEN id END, CASE WHEN k %% 10 <> 0 THEN at END
          FROM lfo_h;
        INSERT INTO crm_tag_rel (lead_id, tag_id)
        SELECT lead_id, tag_id FROM lfo_h WHERE tag_id IS NOT NULL;
        INSERT INTO lead_flow_delivery (lead_id, order_id, buyer_id, delivered_at, state,
            company_id, create_uid, create_date, write_uid, write_date)
        SELECT lead_id, id, buyer_id, at,
               CASE WHEN k %% 10 = 0 THEN 'returned' ELSE 'delivered' END, 1, 1, at, 1, at
          FROM lfo_h;
        """,
        {"ids": order_ids, "seed": seed, "prefix": PREFIX},
    )
    cr.execute(
        """UPDATE lead_flow_order o SET delivered_count = c.n, returned_count = c.r
             FROM (SELECT order_id, count(*) n, count(*) FILTER (WHERE state = 'returned') r
                     FROM lead_flow_delivery GROUP BY order_id) c WHERE c.order_id = o.id"""
    )
    cr.execute("SELECT count(*), count(DISTINCT order_id) FROM lead_flow_delivery")
    return cr.fetchone()


def generate(env, args):
    cr = env.cr
    rng = random.Random(args.seed)
    today = datetime.utcnow().date()
    start = time.perf_counter()
    tags = env["crm.tag"].create([{"name": f"{PREFIX} {name}"} for name in TAGS]).ids
    buyers, admins = make_buyers(env, rng, args.buyers)
    env.flush_all()
    t_buyers = time.perf_counter() - start
    order_ids = make_orders(env, rng, buyers.ids, tags, args.orders, today)
    history, history_orders = make_history(cr, order_ids, args.seed)
    t_orders = time.perf_counter() - start - t_buyers
    lead_ids = make_leads(cr, args.leads, area_catalog(cr), tags, args.seed)
    t_leads = time.perf_counter() - start - t_buyers - t_orders
    env["ir.config_parameter"].set_param(
        "lfo_bench.generated_at", datetime.utcnow().isoformat(sep=" ")
    )
    cr.commit()
    for table in ("crm_lead", "crm_tag_rel", "lead_flow_order", "lead_flow_delivery"):
        cr.execute(f"ANALYZE {table}")
    print(
        f"== data: {len(buyers)} buyers ({admins} portal admins) in {t_buyers:.1f} s,"
        f" {len(order_ids)} orders + {history:,} past deliveries to {history_orders} of"
        f" them in {t_orders:.1f} s, {len(lead_ids):,} leads in {t_leads:.1f} s"
        " (crm_lead triggers on)"
    )


def bench_cutoff(cr):
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'lfo_bench.generated_at'")
    row = cr.fetchone()
    return row and row[0]


def reset(cr, cutoff):
    """Every delivery made after the data was generated undone, by SQL."""
    cr.execute("DELETE FROM lead_flow_delivery WHERE delivered_at > %s", [cutoff])
    cr.execute(
        """UPDATE crm_lead SET lead_flow_buyer_id = NULL, lead_flow_buyer_user_id = NULL,
                  lead_flow_order_id = NULL, lead_flow_delivered_at = NULL
            WHERE lead_flow_delivered_at > %s""",
        [cutoff],
    )
    cr.execute(
        """UPDATE lead_flow_order o SET state = 'open',
                  delivered_count = (SELECT count(*) FROM lead_flow_delivery d
                                      WHERE d.order_id = o.id),
                  returned_count = (SELECT count(*) FROM lead_flow_delivery d
                                     WHERE d.order_id = o.id AND d.state = 'returned')
            WHERE o.name LIKE 'LFO/BENCH/%%'"""
    )
    cr.commit()


# ----------------------------------------------------------------------
# The two ways
# ----------------------------------------------------------------------
class Timers:
    """Wrappers around the distributor's steps: batch times, where they go, conflicts.

    A batch runs from locking the orders (``_lead_flow_lock_open_orders``) to the end of
    ``_lead_flow_distribute_batch`` (its commit excluded); its phases: the open orders and
    their room (read again only when they changed), the candidates (SELECT of the leads,
    their tags, their past buyers), the allocation in Python, the writing statements,
    closing filled orders. The e-mails are queued once at the end of each run.
    """

    PHASES = (
        ("slots", "open orders and their room (lock, ORM reads, cap counts)"),
        ("candidates", "candidate leads, tags, past buyers (3 SELECT)"),
        ("allocate", "allocation (lib/allocation.py, Python)"),
        ("sql_write", "leads + deliveries, counters (2 statements)"),
        ("notify", "e-mails at the end of the run (_lead_flow_notify_delivered)"),
        ("fill", "closing filled orders (_lead_flow_fill_check)"),
    )

    def __init__(self):
        from psycopg2 import errors as pg_errors

        from odoo.addons.lead_flow_order.models import crm_lead_distribute as module
        from odoo.addons.lead_flow_order.models import lead_flow_order

        self.conflicts = (pg_errors.SerializationFailure, pg_errors.LockNotAvailable)
        self.lock = threading.Lock()
        self.batches, self.retries, self.local = [], [], threading.local()
        self.totals = dict.fromkeys(
            ("lock", "slots", "batch", "allocate", "write", "notify", "fill"), 0.0
        )
        self.targets = {  # (owner, attribute): phase
            (module.CrmLead, "_lead_flow_lock_open_orders"): "lock",
            (module.CrmLead, "_lead_flow_open_slots"): "slots",
            (module.CrmLead, "_lead_flow_distribute_batch"): "batch",
            (module, "allocate"): "allocate",
            (module.CrmLead, "_lead_flow_write_deliveries"): "write",
            (lead_flow_order.LeadFlowOrder, "_lead_flow_notify_delivered"): "notify",
            (lead_flow_order.LeadFlowOrder, "_lead_flow_fill_check"): "fill",
        }
        self.originals = {key: getattr(*key) for key in self.targets}

    def install(self):
        for (owner, name), phase in self.targets.items():
            setattr(owner, name, self.timed(self.originals[owner, name], phase))

    def timed(self, func, phase):
        timers = self

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            if phase == "lock":
                timers.local.start = start
            try:
                result = func(*args, **kwargs)
            except timers.conflicts as exc:
                if phase in ("lock", "slots", "batch"):
                    timers.record_retry(phase, exc)
                raise
            end = time.perf_counter()
            with timers.lock:
                timers.totals[phase] += end - start
                if phase == "batch":
                    timers.batches.append((end - timers.local.start, result[0]))
            return result

        return wrapper

    def phases(self):
        """[(label, seconds)] over all batches, summed over the distributors."""
        t = self.totals
        seconds = {
            "slots": t["lock"] + t["slots"],
            "candidates": t["batch"] - t["allocate"] - t["write"],
            "allocate": t["allocate"],
            "sql_write": t["write"] - t["fill"],
            "notify": t["notify"],
            "fill": t["fill"],
        }
        return [(label, seconds[key]) for key, label in self.PHASES]

    def record_retry(self, where, exc):
        with self.lock:
            self.retries.append((where, type(exc).__name__, str(exc).splitlines()[0]))

    def uninstall(self):
        for (owner, name), func in self.originals.items():
            setattr(owner, name, func)


@contextlib.contextmanager
def request(odoo, registry):
    """A cursor and superuser environment, as the cron gives a job (committed on exit)."""
    with registry.cursor() as cr:
        cr.transaction = odoo.api.Transaction(registry)
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def run_distributors(odoo, registry, threads):
    """``threads`` distributors at once, each calling lead_flow_distribute until 0."""
    calls = [[] for _n in range(threads)]
    errors = []
    barrier = threading.Barrier(threads)

    def distributor(k):
        barrier.wait()
        try:
            while True:
                with request(odoo, registry) as env:
                    lead = env["crm.lead"].with_context(lead_flow_distribute_commit=True)
                    delivered = lead.lead_flow_distribute()
                calls[k].append(delivered)
                if not delivered:
                    break
        except Exception as exc:
            errors.append(f"distributor {k + 1}: {type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=distributor, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - start
    with request(odoo, registry) as env:  # nothing left for a last call
        last = env["crm.lead"].with_context(lead_flow_distribute_commit=True)
        last = last.lead_flow_distribute()
    return wall, calls, last, errors


def naive_distribute(env, lead_ids, commit_every=100):
    """The ORM way, lead by lead: search the matching orders, count the caps, write."""
    from odoo import fields
    from odoo.addons.lead_flow_order.lib.allocation import normalize_zip, parse_zip_prefixes

    Order, Delivery = env["lead.flow.order"], env["lead.flow.delivery"]
    delivered = 0
    for n, lead in enumerate(env["crm.lead"].browse(lead_ids)):
        now = fields.Datetime.now()
        area = [("state", "=", "open")]
        area += ["|", ("country_ids", "=", False), ("country_ids", "in", lead.country_id.ids)]
        area += ["|", ("state_ids", "=", False), ("state_ids", "in", lead.state_id.ids)]
        area += ["|", ("tag_ids", "=", False), ("tag_ids", "in", lead.tag_ids.ids)]
        best, best_behind = None, None
        for order in Order.search(area, order="id"):
            start, end = order._lead_flow_bounds_utc()
            if not (start <= now and (end is None or now < end)) or lead.create_date < start:
                continue
            zips = parse_zip_prefixes(order.zip_prefixes)
            if zips and not normalize_zip(lead.zip).startswith(zips):
                continue
            if Delivery.search_count(
                [("lead_id", "=", lead.id), ("buyer_id", "=", order.buyer_id.id)]
            ):
                continue
            net, target = order.delivered_count - order.returned_count, order._lead_flow_target()
            if net >= target:
                continue
            periods = zip(
                (order.cap_day, order.cap_week, order.cap_month),
                order._lead_flow_period_starts(now),
            )
            if any(
                cap
                and Delivery.search_count(
                    [("order_id", "=", order.id), ("delivered_at", ">=", since)]
                )
                >= cap
                for cap, since in periods
            ):
                continue
            elapsed = (now - start) / (end - start) if end else 0.0
            behind = min(max(elapsed, 0.0), 1.0) - net / target
            if best is None or behind > best_behind:
                best, best_behind = order, behind
        if best:
            lead.write(
                {"lead_flow_buyer_id": best.buyer_id.id, "lead_flow_order_id": best.id,
                 "lead_flow_delivered_at": now}
            )  # fmt: skip
            Delivery.create(
                {"lead_id": lead.id, "order_id": best.id, "buyer_id": best.buyer_id.id,
                 "delivered_at": now, "company_id": lead.company_id.id}
            )  # fmt: skip
            best.delivered_count += 1
            best._lead_flow_notify_delivered({best.id: lead.ids})
            best._lead_flow_fill_check()
            delivered += 1
        if n % commit_every == commit_every - 1:
            env.cr.commit()
    env.cr.commit()
    return delivered


# ----------------------------------------------------------------------
# SQL checks
# ----------------------------------------------------------------------
ORDER_FACTS = """
CREATE TEMP TABLE lfo_o ON COMMIT DROP AS
SELECT o.id, o.buyer_id, o.state, o.cap_day, o.cap_week, o.cap_month,
       o.delivered_count, o.returned_count, z.tz,
       COALESCE(LEAST(NULLIF(o.quantity, 0), CASE WHEN o.amount_cap > 0 AND o.price_unit > 0
                THEN floor(o.amount_cap / o.price_unit)::int END), 0) AS target,
       (o.date_start::timestamp AT TIME ZONE z.tz) AT TIME ZONE 'UTC' AS start_utc,
       ((o.date_end + 1)::timestamp AT TIME ZONE z.tz) AT TIME ZONE 'UTC' AS end_utc,
       ARRAY(SELECT res_country_id FROM lead_flow_order_res_country_rel
              WHERE lead_flow_order_id = o.id) AS countries,
       ARRAY(SELECT res_country_state_id FROM lead_flow_order_res_country_state_rel
              WHERE lead_flow_order_id = o.id) AS states,
       ARRAY(SELECT p FROM unnest(string_to_array(upper(replace(COALESCE(o.zip_prefixes, ''),
                                  ' ', '')), ',')) p WHERE p <> '') AS zips,
       ARRAY(SELECT crm_tag_id FROM crm_tag_lead_flow_order_rel
              WHERE lead_flow_order_id = o.id) AS tags
  FROM lead_flow_order o
  JOIN res_partner b ON b.id = o.buyer_id
  JOIN res_company c ON c.id = o.company_id
  JOIN res_partner cp ON cp.id = c.partner_id
 CROSS JOIN LATERAL (SELECT COALESCE(NULLIF(b.tz, ''), NULLIF(cp.tz, ''), 'UTC') AS tz) z
 WHERE o.name LIKE 'LFO/BENCH/%%';
ALTER TABLE lfo_o ADD PRIMARY KEY (id);
-- Room now: the order's leads left, and each cap less this buyer-local period's count.
ALTER TABLE lfo_o ADD COLUMN room int;
UPDATE lfo_o o SET room = CASE WHEN o.state <> 'open' THEN 0 ELSE LEAST(
    o.target - (o.delivered_count - o.returned_count),
    CASE WHEN o.cap_day > 0 THEN o.cap_day - (SELECT count(*) FROM lead_flow_delivery d
         WHERE d.order_id = o.id AND d.delivered_at >= p.day) END,
    CASE WHEN o.cap_week > 0 THEN o.cap_week - (SELECT count(*) FROM lead_flow_delivery d
         WHERE d.order_id = o.id AND d.delivered_at >= p.week) END,
    CASE WHEN o.cap_month > 0 THEN o.cap_month - (SELECT count(*) FROM lead_flow_delivery d
         WHERE d.order_id = o.id AND d.delivered_at >= p.month) END) END
  FROM lfo_o o2 CROSS JOIN LATERAL (
       SELECT (date_trunc('day', now() AT TIME ZONE o2.tz) AT TIME ZONE o2.tz)
                  AT TIME ZONE 'UTC' AS day,
              (date_trunc('week', now() AT TIME ZONE o2.tz) AT TIME ZONE o2.tz)
                  AT TIME ZONE 'UTC' AS week,
              (date_trunc('month', now() AT TIME ZONE o2.tz) AT TIME ZONE o2.tz)
                  AT TIME ZONE 'UTC' AS month) p
 WHERE o2.id = o.id;
CREATE TEMP TABLE lfo_oc ON COMMIT DROP AS
SELECT id AS order_id, unnest(CASE WHEN countries = '{}' THEN '{NULL}'::int[]
                                   ELSE countries END) AS country_id FROM lfo_o;
"""
# Lead ``l`` (tags in lt.tags) falls in order ``o``'s area and types, created after its start.
MATCHES = """(o.states = '{}' OR l.state_id = ANY(o.states))
 AND (o.zips = '{}' OR EXISTS (SELECT 1 FROM unnest(o.zips) p
      WHERE starts_with(upper(replace(COALESCE(l.zip, ''), ' ', '')), p)))
 AND (o.tags = '{}' OR o.tags && COALESCE(lt.tags, '{}'))
 AND l.create_date >= o.start_utc"""
LEAD_TAGS = """LEFT JOIN LATERAL (SELECT array_agg(tag_id) AS tags FROM crm_tag_rel
                               WHERE lead_id = l.id) lt ON true"""


def checks(cr, since):
    """{check: count}: over the deliveries made after the data was generated at ``since``
    (area, types, dates: the run's, the rest undone before it) or over all (the rest)."""
    cr.execute(ORDER_FACTS)
    out = {}

    def one(label, sql, params=None):
        cr.execute(sql, params)
        out[label] = cr.fetchone()[0]

    run = {"since": since}
    one(
        "deliveries (this run)",
        "SELECT count(*) FROM lead_flow_delivery d JOIN lfo_o o ON o.id = d.order_id"
        " WHERE d.delivered_at > %(since)s",
        run,
    )
    one(
        "leads delivered twice (two current deliveries)",
        "SELECT count(*) FROM (SELECT lead_id FROM lead_flow_delivery WHERE state = 'delivered'"
        " GROUP BY lead_id HAVING count(*) > 1) x",
    )
    one(
        "same lead to the same buyer twice",
        "SELECT count(*) FROM (SELECT 1 FROM lead_flow_delivery GROUP BY lead_id, buyer_id"
        " HAVING count(*) > 1) x",
    )
    one(
        "lead's buyer/order not its delivery's",
        """SELECT count(*) FROM crm_lead l
            WHERE l.lead_flow_order_id IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM lead_flow_delivery d WHERE d.lead_id = l.id
                     AND d.state = 'delivered' AND d.buyer_id = l.lead_flow_buyer_id
                     AND d.order_id = l.lead_flow_order_id)""",
    )
    one(
        "delivery whose lead has another buyer",
        """SELECT count(*) FROM lead_flow_delivery d JOIN crm_lead l ON l.id = d.lead_id
            WHERE d.state = 'delivered' AND d.order_id IS NOT NULL
              AND (l.lead_flow_buyer_id IS DISTINCT FROM d.buyer_id
                   OR l.lead_flow_order_id IS DISTINCT FROM d.order_id)""",
    )
    for period in ("day", "week", "month"):
        one(f"{period} caps exceeded (order x buyer-local {period})",
            f"""SELECT count(*) FROM (
                  SELECT o.id FROM lead_flow_delivery d JOIN lfo_o o ON o.id = d.order_id
                   WHERE o.cap_{period} > 0
                   GROUP BY o.id, o.cap_{period},
                            date_trunc('{period}', (d.delivered_at AT TIME ZONE 'UTC')
                                                    AT TIME ZONE o.tz)
                  HAVING count(*) > o.cap_{period}) x""")  # fmt: skip
    one(
        "orders over their leads (net delivered > quantity/amount)",
        "SELECT count(*) FROM lfo_o WHERE delivered_count - returned_count > target",
    )
    one(
        "counters off (delivered/returned count vs rows)",
        """SELECT count(*) FROM lfo_o o CROSS JOIN LATERAL (
                  SELECT count(*) n, count(*) FILTER (WHERE state = 'returned') r
                    FROM lead_flow_delivery d WHERE d.order_id = o.id) c
            WHERE c.n <> o.delivered_count OR c.r <> o.returned_count""",
    )
    one("deliveries outside the order's area or types, or lead older than its start",
        f"""SELECT count(*) FROM lead_flow_delivery d JOIN lfo_o o ON o.id = d.order_id
              JOIN crm_lead l ON l.id = d.lead_id {LEAD_TAGS}
             WHERE d.delivered_at > %(since)s
               AND NOT ((o.countries = '{{}}' OR l.country_id = ANY(o.countries))
                        AND {MATCHES})""", run)  # fmt: skip
    one(
        "deliveries outside the order's dates",
        """SELECT count(*) FROM lead_flow_delivery d JOIN lfo_o o ON o.id = d.order_id
            WHERE d.delivered_at > %(since)s
              AND (d.delivered_at < o.start_utc OR d.delivered_at >= o.end_utc)""",
        run,
    )
    one(
        "to a buyer who had the lead before",
        """SELECT count(*) FROM lead_flow_delivery d JOIN lead_flow_delivery e
                ON e.lead_id = d.lead_id AND e.buyer_id = d.buyer_id AND e.id < d.id""",
    )
    one(
        "filled orders still open",
        "SELECT count(*) FROM lfo_o WHERE state = 'open'"
        " AND delivered_count - returned_count >= target",
    )
    cr.execute("SELECT count(*) FILTER (WHERE state <> 'open'), count(*) FROM lfo_o")
    out["orders closed (filled) / all"] = "{} / {}".format(*cr.fetchone())
    return out


def leftovers(cr):
    """Undelivered benchmark leads by why: no running order takes them (area, types,
    start, buyer who had it), the orders that take them have no room left, or one has (a
    lead the distributor missed: must be 0)."""
    takes = f"""{MATCHES}
        AND now() AT TIME ZONE 'UTC' >= o.start_utc
        AND (o.end_utc IS NULL OR now() AT TIME ZONE 'UTC' < o.end_utc)
        AND NOT EXISTS (SELECT 1 FROM lead_flow_delivery d
                         WHERE d.lead_id = l.id AND d.buyer_id = o.buyer_id)"""
    cr.execute(
        f"""
        WITH l AS MATERIALIZED (
            SELECT l.id, l.country_id, l.state_id, l.zip, l.create_date, lt.tags
              FROM crm_lead l {LEAD_TAGS}
             WHERE l.name LIKE %(pattern)s AND l.active AND l.lead_flow_buyer_id IS NULL),
        m AS (
            SELECT l.id, o.room FROM l lt, l
              JOIN lfo_oc oc ON oc.country_id = l.country_id JOIN lfo_o o ON o.id = oc.order_id
             WHERE lt.id = l.id AND {takes}
            UNION ALL
            SELECT l.id, o.room FROM l lt, l
              JOIN lfo_oc oc ON oc.country_id IS NULL JOIN lfo_o o ON o.id = oc.order_id
             WHERE lt.id = l.id AND {takes}),
        per_lead AS (SELECT id, max(room) AS room FROM m GROUP BY id)
        SELECT (SELECT count(*) FROM l),
               (SELECT count(*) FROM l WHERE id NOT IN (SELECT id FROM per_lead)),
               count(*) FILTER (WHERE room <= 0), count(*) FILTER (WHERE room > 0)
          FROM per_lead""",
        {"pattern": f"{PREFIX} %"},
    )
    return cr.fetchone()


# ----------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------
def pct(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def mails_since(cr, mail_id):
    cr.execute("SELECT count(*) FROM mail_mail WHERE id > %s", [mail_id])
    return cr.fetchone()[0]


def last_id(cr, table):
    cr.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
    return cr.fetchone()[0]


def loadavg():
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def print_checks(title, results):
    print(f"\n{title}")
    for label, value in results.items():
        print(f"  {label:<74} {value}")


def profile_batch(odoo, registry):
    """One batch under cProfile (rolled back): where the time goes."""
    with request(odoo, registry) as env:
        lead = env["crm.lead"]
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        slots = lead._lead_flow_open_slots(lead._lead_flow_lock_open_orders())
        count, _after = lead._lead_flow_distribute_batch(slots, None, None)
        profiler.disable()
        elapsed = time.perf_counter() - start
        env.cr.rollback()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    print(f"\n== cProfile of one batch ({count} delivered in {elapsed:.2f} s, rolled back)")
    print(out.getvalue())


def main():
    args = parse_args()
    ensure_database(args.db, args.reuse)
    odoo, registry = odoo_registry(args.db)
    with request(odoo, registry) as env:
        if "lead.flow.order" not in env:
            sys.exit(f"lead_flow_order is not installed in {args.db}")
        cutoff = bench_cutoff(env.cr)
        if not cutoff:
            generate(env, args)
            cutoff = bench_cutoff(env.cr)
        else:
            print(f"== reusing the data of {cutoff} UTC, deliveries since undone")
        reset(env.cr, cutoff)
        env.cr.execute(
            "SELECT count(*) FROM crm_lead WHERE name LIKE %s AND lead_flow_buyer_id IS NULL",
            [f"{PREFIX} %"],
        )
        pool = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM lead_flow_order WHERE state = 'open'")
        open_orders = env.cr.fetchone()[0]
        mail0 = last_id(env.cr, "mail_mail")

    print(
        f"== {args.threads} distributors at once: {pool:,} undelivered leads,"
        f" {open_orders} open orders; load average {loadavg()}"
    )
    timers = Timers()
    timers.install()
    try:
        wall, calls, last, errors = run_distributors(odoo, registry, args.threads)
    finally:
        timers.uninstall()
    load = loadavg()
    delivered = sum(sum(c) for c in calls)
    with request(odoo, registry) as env:
        mails = mails_since(env.cr, mail0)
        fast_checks = checks(env.cr, cutoff)
        left = leftovers(env.cr)
    batch_times = [t for t, _n in timers.batches]
    fast_rate = delivered / wall
    print(f"   load average after: {load}")
    print_checks(
        "SQL checks after the distributors (must be 0 but the first and the last)",
        fast_checks,
    )
    print(
        f"  {'undelivered leads: all / no running order takes them / those full or capped':<74}"
        f" {left[0]:,} / {left[1]:,} / {left[2]:,}"
    )
    print(f"  {'undelivered while an order that takes them has room (must be 0)':<74} {left[3]}")

    naive = None
    if args.profile or args.naive_sample:
        with request(odoo, registry) as env:
            reset(env.cr, cutoff)
    if args.profile:
        profile_batch(odoo, registry)
    if args.naive_sample:
        with request(odoo, registry) as env:
            env.cr.execute(
                "SELECT id FROM crm_lead WHERE name LIKE %s AND lead_flow_buyer_id IS NULL"
                " AND active ORDER BY create_date, id LIMIT %s",
                [f"{PREFIX} %", args.naive_sample],
            )
            sample = [row[0] for row in env.cr.fetchall()]
            mail1 = last_id(env.cr, "mail_mail")
        print(f"\n== naive ORM way, one thread, on a sample of the first {len(sample):,} leads")
        with request(odoo, registry) as env:
            start = time.perf_counter()
            naive_count = naive_distribute(env, sample)
            naive_wall = time.perf_counter() - start
        with request(odoo, registry) as env:
            naive_mails = mails_since(env.cr, mail1)
            naive_checks = checks(env.cr, cutoff)
        print_checks("SQL checks after the naive way", naive_checks)
        naive = (naive_count, naive_wall, naive_mails)
        with request(odoo, registry) as env:
            reset(env.cr, cutoff)

    print("\n== figures")
    rows = [
        ("leads (undelivered at start) / open orders", f"{pool:,} / {open_orders}"),
        ("distributors at once", f"{args.threads}"),
        ("delivered / wall time", f"{delivered:,} in {wall:.1f} s"),
        ("leads/s (distributor)", f"{fast_rate:,.0f}"),
        ("calls per distributor (delivered each)", " | ".join(map(str, calls))),
        ("last call after both stopped", f"{last} delivered"),
        ("batches / p50 / p95 / max (s, commit excluded)",
         f"{len(batch_times)} / {pct(batch_times, 0.5):.2f} / {pct(batch_times, 0.95):.2f}"
         f" / {max(batch_times, default=0):.2f}"),
        ("serialization retries", f"{len(timers.retries)}"),
        ("e-mails queued (mail.mail)", f"{mails:,}"),
        ("errors", "; ".join(errors) or "none"),
    ]  # fmt: skip
    if naive:
        naive_count, naive_wall, naive_mails = naive
        naive_rate = naive_count / naive_wall if naive_wall else 0
        rows += [
            ("naive ORM (sample, one thread)",
             f"{naive_count:,} of {args.naive_sample:,} delivered in {naive_wall:.1f} s"),
            ("leads/s (naive)", f"{naive_rate:,.1f}"),
            ("ratio", f"{fast_rate / naive_rate:,.0f}x" if naive_rate else "-"),
            ("e-mails queued (naive, one per lead)", f"{naive_mails:,}"),
        ]  # fmt: skip
    for label, value in rows:
        print(f"  {label:<52} {value}")
    busy = sum(seconds for _label, seconds in timers.phases())
    print(f"\n  where the batches' time goes (summed over the distributors: {busy:.1f} s)")
    for label, seconds in timers.phases():
        print(f"    {label:<62} {seconds:7.1f} s {seconds / busy:6.1%}" if busy else label)
    for where, kind, message in timers.retries[:10]:
        print(f"  retry ({where}): {kind}: {message}")
    if errors or last:
        sys.exit(1)


if __name__ == "__main__":
    main()
