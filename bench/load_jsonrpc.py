#!/usr/bin/env python3
"""Load test: 16 JSON-RPC operators against Odoo with --workers=2, then verify in SQL.

    tools/generate_data.py -d lf_queue_bench --create-db --leads 1000000 --logs 1000000
    bench/load_jsonrpc.py -d lf_queue_bench --seconds 60

Starts Odoo in multi-process mode (prefork, ``--workers=2``) on the benchmark database and
drives it over HTTP like real clients: each operator logs in (session cookie) and, until
the time is up, presses Next lead (``lead_flow_claim_next``) and logs a note on the lead
it got (``lead_flow_log_note``). (The naive way, ``search_read`` of the first free lead
then ``write`` of the reservation, cannot be driven over the API any more: users cannot
write reservation fields. bench/bench_queue.py measures it on the server side.)

First, for ``--floor-seconds``, the same operators call the cheapest authenticated RPC
(``res.users.context_get``): the time Odoo's HTTP layer takes for any method (session,
routing, JSON, registry check), the floor under every figure below. Printed: requests/s,
claims/s, client-side and server-side latency (p50/p95/p99; server side is Odoo's own
per-request time from its access log: query time + the rest), errors; then the SQL
checks: leads reserved twice (must be 0) and notes lost (every note the server
acknowledged must be in lead_flow_log, on its lead, by its operator: must be 0).
Reservations taken by the run are released at the start and at the end.

With ``--console-seconds``, a last phase drives the operator console as the browser does:
one ``lead_flow_log_and_next`` per lead (the note, the next claim and the next lead's data
in one round trip); the figure to watch is its server-side p95 (target: 40 ms).
"""

import argparse
import functools
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import psycopg2
import requests
from latency import pct, run_together, summary  # bench/, the script's own folder

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Odoo's access log line: "POST /web/dataset/call_kw/crm.lead/<method> HTTP/1.1" 200 - <query
# count> <query seconds> <other seconds>
ACCESS_LINE = re.compile(
    r'"POST /web/dataset/call_kw/(?P<model>[\w.]+)/(?P<method>\w+) HTTP/[\d.]+" (?P<status>\d+)'
    r" - (?P<count>\d+) (?P<sql>[\d.]+) (?P<rest>[\d.]+)"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--operators", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0, help="atomic phase length")
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument(
        "--console-seconds",
        type=float,
        default=0.0,
        help="then drive the console for this long: one Log & next per lead (0: skip)",
    )
    parser.add_argument("--notes-every", type=int, default=1, help="log a note every N claims")
    parser.add_argument(
        "--floor-seconds",
        type=float,
        default=10.0,
        help="first, this long of a trivial RPC (res.users.context_get): Odoo's own floor",
    )
    return parser.parse_args()


def line(name, ms):
    return summary(name, ms, width=34)


class OdooServer:
    """odoo --workers=N on the benchmark database, its log in a temporary file."""

    def __init__(self, args):
        self.args = args
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = None

    def start(self):
        import odoo

        addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
        cmd = [
            sys.executable,
            os.path.join(REPO, "tools", "odoo"),
            "-d",
            self.args.database,
            f"--db-filter=^{self.args.database}$",
            f"--addons-path={REPO},{addons}",
            f"--workers={self.args.workers}",
            "--max-cron-threads=0",
            f"--gevent-port={self.args.port + 1}",
            f"--http-port={self.args.port}",
            "--http-interface=127.0.0.1",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--limit-request=1000000",
            "--log-level=info",
            f"--logfile={self.log.name}",
        ]
        self.proc = subprocess.Popen(cmd, start_new_session=True)
        url = f"http://127.0.0.1:{self.args.port}/web/webclient/version_info"
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"Odoo exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.post(url, json={"params": {}}, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        sys.exit(f"Odoo did not answer on port {self.args.port} within 120 s")

    def log_size(self):
        return os.path.getsize(self.log.name)

    def server_times(self, since):
        """{method: ([server ms], [queries])} of the call_kw requests logged after byte
        ``since``."""
        times = {}
        with open(self.log.name, encoding="utf-8", errors="replace") as log:
            log.seek(since)
            for match in ACCESS_LINE.finditer(log.read()):
                ms = (float(match["sql"]) + float(match["rest"])) * 1000
                entry = times.setdefault(match["method"], ([], []))
                entry[0].append(ms)
                entry[1].append(int(match["count"]))
        return times

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


class Operator:
    """One logged-in JSON-RPC client, as the web client or a dialer talks to Odoo."""

    def __init__(self, base, db, login):
        self.base, self.login = base, login
        self.http = requests.Session()
        res = self.http.post(
            f"{base}/web/session/authenticate",
            json={"params": {"db": db, "login": login, "password": login}},
            timeout=60,
        ).json()
        if "error" in res:
            raise RuntimeError(f"{login} cannot log in: {res['error']['data']['message']}")
        self.uid = res["result"]["uid"]
        self.latencies = {}
        self.errors = []

    def call(self, model, method, args, kwargs=None):
        start = time.perf_counter()
        try:
            res = self.http.post(
                f"{self.base}/web/dataset/call_kw/{model}/{method}",
                json={
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    }
                },
                timeout=120,
            ).json()
        except (requests.RequestException, ValueError) as exc:
            self.errors.append(f"{method}: {exc}")
            return None
        finally:
            self.latencies.setdefault(method, []).append((time.perf_counter() - start) * 1000)
        if "error" in res:
            self.errors.append(f"{method}: {res['error']['data']['message']}")
            return None
        return res["result"]


def run_phase(operators, seconds, work):
    """Run work(op, deadline, out) on every operator at once; return (elapsed, outs)."""
    outs = {op.login: [] for op in operators}
    deadline = time.perf_counter() + seconds
    calls = [functools.partial(work, op, deadline, outs[op.login]) for op in operators]
    return run_together(calls), outs


def log_note(op, lead_id, n, notes_every):
    """Log a note on every ``notes_every``-th lead; return (log id, body) if acknowledged."""
    if n % notes_every:
        return None
    body = f"Load test call {uuid.uuid4().hex}"
    log_id = op.call("crm.lead", "lead_flow_log_note", [[lead_id], body], {"outcome": "partial"})
    return (log_id, body) if log_id else None


def atomic_work(notes_every):
    def work(op, deadline, out):
        n = 0
        while time.perf_counter() < deadline:
            lead_id = op.call("crm.lead", "lead_flow_claim_next", [])
            if lead_id:
                n += 1
                out.append((lead_id, log_note(op, lead_id, n, notes_every)))

    return work


def console_work(op, deadline, out):
    """As the console does: Next lead once, then one RPC per lead, Log & next
    (``lead_flow_log_and_next``: logs the note and returns the next lead's console data,
    without the setup the console already holds, as console.js asks)."""
    data = op.call("crm.lead", "lead_flow_console_next", [])
    lead = data and data["lead"]
    while lead and time.perf_counter() < deadline:
        body = f"Load test call {uuid.uuid4().hex}"
        kwargs = {"outcome": "partial", "setup_company_id": data["setup_company_id"]}
        data = op.call("crm.lead", "lead_flow_log_and_next", [lead["id"], body], kwargs)
        if data is None:
            return
        out.append((lead["id"], (None, body)))  # acknowledged: data for the next lead came
        lead = data["lead"]


def floor_work(op, deadline, _out):
    """The cheapest authenticated RPC: what any method pays for Odoo's HTTP layer."""
    while time.perf_counter() < deadline:
        op.call("res.users", "context_get", [])


def release(conn, uids):
    with conn.cursor() as cr:
        cr.execute(
            "UPDATE crm_lead SET lead_flow_reserved_user_id = NULL, lead_flow_reserved_at = NULL"
            " WHERE lead_flow_reserved_user_id = ANY(%s)",
            [uids],
        )
    conn.commit()
    # Each run reserves and frees thousands of leads: vacuum, as autovacuum would between
    # busy periods, so that every phase starts from the same table state.
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("VACUUM (ANALYZE) crm_lead, lead_flow_queue_index")
    conn.autocommit = False


def verify(conn, operators, outs):
    """Leads handed to two operators, reservations not held by their claimer, lost notes."""
    uid_of = {op.login: op.uid for op in operators}
    claimed = [(uid_of[login], lead) for login, out in outs.items() for lead, _n in out]
    lead_ids = [lead for _uid, lead in claimed]
    twice = len(lead_ids) - len(set(lead_ids))
    with conn.cursor() as cr:
        cr.execute(
            "SELECT id, lead_flow_reserved_user_id FROM crm_lead WHERE id = ANY(%s)", [lead_ids]
        )
        holder = dict(cr.fetchall())
        not_held = sum(1 for uid, lead in claimed if holder.get(lead) != uid)
        notes = [
            (uid_of[login], lead, note) for login, out in outs.items() for lead, note in out if note
        ]
        log_ids = [note[0] for _uid, _lead, note in notes if note[0]]
        cr.execute(
            "SELECT id, lead_id, user_id, body FROM lead_flow_log WHERE id = ANY(%s)", [log_ids]
        )
        stored = {row[0]: row[1:] for row in cr.fetchall()}
        # Log & next returns the next lead, not the entry: find those notes by their text.
        bodies = [note[1] for _uid, _lead, note in notes if not note[0]]
        cr.execute(
            "SELECT body, lead_id, user_id, body FROM lead_flow_log WHERE body = ANY(%s)", [bodies]
        )
        stored.update((row[0], row[1:]) for row in cr.fetchall())
    lost = sum(
        1 for uid, lead, (log_id, body) in notes if stored.get(log_id or body) != (lead, uid, body)
    )
    return len(claimed), twice, not_held, len(notes), lost


def report(title, server, since, operators, elapsed, outs, conn):
    requests_done = sum(len(ms) for op in operators for ms in op.latencies.values())
    errors = [err for op in operators for err in op.errors]
    claims, twice, not_held, notes, lost = verify(conn, operators, outs)
    load = " / ".join(f"{avg:.2f}" for avg in os.getloadavg())
    print(f"\n{title}: {elapsed:.1f}s, {len(operators)} operators; load average {load}")
    print(
        f"  requests: {requests_done} = {requests_done / elapsed:.0f} req/s; errors: {len(errors)}"
    )
    for err in sorted(set(errors))[:5]:
        print(f"    e.g. {err[:160]}")
    print(f"  claims: {claims} = {claims / elapsed:.1f} claims/s; notes acknowledged: {notes}")
    methods = sorted({m for op in operators for m in op.latencies})
    server_ms = server.server_times(since)
    for method in methods:
        client = [ms for op in operators for ms in op.latencies.get(method, [])]
        print("  " + line(f"{method} (client)", client))
        ms, queries = server_ms.get(method, ([], []))
        print("  " + line(f"{method} (server)", ms) + f"  queries p50={pct(queries, 50)}")
    print(f"  leads handed to two operators: {twice}; reservations not held: {not_held}")
    print(f"  notes lost (acknowledged but not stored as sent): {lost}")
    for op in operators:
        op.latencies, op.errors = {}, []
    return twice, lost, len(errors)


def main():
    args = parse_args()
    conn = psycopg2.connect(dbname=args.database)
    with conn.cursor() as cr:
        cr.execute("SELECT id FROM res_users WHERE login LIKE 'bench_op_%%' ORDER BY login")
        uids = [row[0] for row in cr.fetchall()][: args.operators]
        cr.execute("SELECT count(*) FROM crm_lead")
        leads = cr.fetchone()[0]
    if len(uids) < args.operators:
        sys.exit("run tools/generate_data.py first (it creates the bench operators)")
    release(conn, uids)
    server = OdooServer(args)
    server.start()
    failed = False
    try:
        base = f"http://127.0.0.1:{args.port}"
        logins = [f"bench_op_{i + 1:02d}" for i in range(args.operators)]
        operators = [Operator(base, args.database, login) for login in logins]
        print(
            f"database {args.database}: {leads} leads; Odoo --workers={args.workers} on port"
            f" {args.port} (log {server.log.name})"
        )
        if args.floor_seconds > 0:
            since = server.log_size()
            elapsed, outs = run_phase(operators, args.floor_seconds, floor_work)
            time.sleep(1)
            floor_errors = report(
                "Trivial RPC (Odoo's floor)", server, since, operators, elapsed, outs, conn
            )[2]
        since = server.log_size()
        elapsed, outs = run_phase(operators, args.seconds, atomic_work(args.notes_every))
        time.sleep(1)  # let the workers write their last access-log lines
        twice, lost, errors = report(
            "Next lead + note", server, since, operators, elapsed, outs, conn
        )
        failed = twice or lost or errors or (args.floor_seconds > 0 and floor_errors)
        release(conn, uids)
        if args.console_seconds > 0:
            since = server.log_size()
            elapsed, outs = run_phase(operators, args.console_seconds, console_work)
            time.sleep(1)
            twice, lost, errors = report(
                "Console: Log & next", server, since, operators, elapsed, outs, conn
            )
            failed = failed or twice or lost or errors
            release(conn, uids)
    finally:
        server.stop()
        release(conn, uids)
        conn.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
