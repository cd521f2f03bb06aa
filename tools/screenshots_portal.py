#!/usr/bin/env python3
"""README screenshots of the Lead Portal (lead_flow_portal), by headless Chromium.

    tools/screenshots_portal.py [--database lf_screens_portal] [--out DIR]

Starts tools/odoo on a free port with lead_flow_portal and demo data (installed on the
first run, about two minutes), makes a demo lead buyer through JSON-RPC as admin (a
company, its admin user, demo leads delivered to it over the last two months), logs in as
that buyer and captures the portal pages with the DevTools client of tools/screenshots.py:
portal_dashboard.png, portal_leads.png, portal_lead.png, portal_users.png. Stops the
server at the end. Exit status 0 when all are written.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from screenshots import (
    REPO,
    WIDTH,
    Chrome,
    OdooSession,
    SetupError,
    free_port,
    psql,
)

LOGIN, PASSWORD = "buyer.admin@dealer.example", "buyer-demo-1"
PAGES = [
    ("portal_dashboard", "/my/leads/dashboard", "svg.o_lead_flow_chart", 1000),
    ("portal_leads", "/my/leads", "tr.o_lead_flow_lead_row", 900),
    ("portal_lead", "/my/leads/{lead}", "#lead_flow_appointments", 1400),
    ("portal_users", "/my/users", "tr.o_lead_flow_user_row", 700),
]


def start_server(database, port, log):
    import odoo

    installed = (
        psql(
            database,
            "select 1 from ir_module_module"
            " where name = 'lead_flow_portal' and state = 'installed'",
        ).stdout.strip()
        == "1"
    )
    cmd = [
        sys.executable,
        os.path.join(REPO, "tools", "odoo"),
        "-d",
        database,
        f"--db-filter=^{database}$",
        f"--addons-path={REPO},{os.path.join(os.path.dirname(odoo.__file__), 'addons')}",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--max-cron-threads=0",
        "-u" if installed else "-i",
        "lead_flow_portal",
    ]
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_installed(url, database, server, timeout=900):
    """An admin session once lead_flow_portal is installed: the server answers requests
    while it still installs it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the Odoo server stopped: see /tmp/lead_flow_portal_screens.log")
        try:
            admin = OdooSession(url, database)
            admin.authenticate("admin", "admin", wait=60)
            if admin.call("res.partner", "fields_get", ["lead_flow_is_buyer"]):
                return admin
        except (SetupError, requests.RequestException):
            pass
        time.sleep(5)
    raise SystemExit("lead_flow_portal was not installed in time")


def demo_buyer(admin):
    """The demo buyer, its admin and its leads; returns the id of one lead."""
    Partner = "res.partner"
    buyer = admin.call(Partner, "search", [("name", "=", "Sunrise Solar Installers")])
    if not buyer:
        buyer = [
            admin.call(
                Partner,
                "create",
                {
                    "name": "Sunrise Solar Installers",
                    "is_company": True,
                    "lead_flow_is_buyer": True,
                },
            )
        ]
    users = admin.call(
        "res.users", "search", [("login", "=", LOGIN)], context={"active_test": False}
    )
    if not users:
        portal = admin.call("ir.model.data", "check_object_reference", "base", "group_portal")[1]
        users = [
            admin.call(
                "res.users",
                "create",
                {
                    "name": "Dana Dealer",
                    "login": LOGIN,
                    "email": LOGIN,
                    "password": PASSWORD,
                    "groups_id": [(6, 0, [portal])],
                    "lead_flow_buyer_admin": True,
                },
            )
        ]
        partner = admin.call("res.users", "read", users, ["partner_id"])[0]["partner_id"][0]
        admin.call(Partner, "write", [partner], {"parent_id": buyer[0]})
    leads = admin.call("crm.lead", "search", [("lead_flow_buyer_id", "=", buyer[0])])
    if not leads:
        leads = admin.call("crm.lead", "search", [("type", "=", "lead")], limit=40)
        admin.call("crm.lead", "lead_flow_deliver", leads, buyer[0], users[0])
        now = datetime.now()
        for index, lead in enumerate(leads):
            when = now - timedelta(days=(index * 37) % 55, hours=index % 9)
            admin.call(
                "crm.lead",
                "write",
                [lead],
                {"lead_flow_delivered_at": when.strftime("%Y-%m-%d %H:%M:%S")},
            )
        start = (now + timedelta(days=2)).replace(hour=9, minute=0, second=0)
        admin.call(
            "calendar.event",
            "create",
            {
                "name": "Roof survey",
                "user_id": users[0],
                "opportunity_id": leads[0],
                "start": start.strftime("%Y-%m-%d %H:%M:%S"),
                "stop": (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
            },
        )
    return leads[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="lf_screens_portal")
    parser.add_argument(
        "--out", default=os.path.join(REPO, "lead_flow_portal", "static", "description")
    )
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(os.path.join("/tmp", "lead_flow_portal_screens.log"), "w") as log:
        server = start_server(args.database, port, log)
        try:
            admin = OdooSession(url, args.database)
            admin = wait_installed(url, args.database, server)
            lead_id = demo_buyer(admin)
            buyer = OdooSession(url, args.database)
            cookie = buyer.authenticate(LOGIN, PASSWORD)
            chrome = Chrome(args.chromium)
            try:
                chrome.set_cookie(url, "session_id", cookie)
                for name, path, ready, height in PAGES:
                    chrome.viewport(WIDTH, height)
                    chrome.send("Page.navigate", url=url + path.format(lead=lead_id))
                    deadline = time.monotonic() + 60
                    while not chrome.evaluate(
                        f"document.readyState === 'complete' && !!document.querySelector({ready!r})"
                    ):
                        if time.monotonic() > deadline:
                            raise SystemExit(f"{name}: {ready} not rendered")
                        time.sleep(0.3)
                    time.sleep(1)
                    chrome.screenshot(os.path.join(args.out, f"{name}.png"))
                    print(f"{name}.png")
            finally:
                chrome.close()
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
