#!/usr/bin/env python3
"""First paint of the operator console in headless Chromium, against Odoo's lead form.

    tools/generate_data.py -d lf17_bench --create-db --leads 100000 --logs 100000
    bench/bench_console_paint.py -d lf17_bench

Starts Odoo as in production (``--workers=2``, assets minified, no test mode) on the
benchmark database and Debian's Chromium headless at 1366x768 with a profile of its own.
An operator (``bench_op_01``, logged in by cookie) holds a lead they claimed and have not
worked yet; each round navigates to

- **console**: ``/odoo/action-lead_flow.action_lead_flow_console`` until the lead's name is
  on screen;
- **lead form** (what Next lead opened before the console, the naive way):
  ``/odoo/crm.lead/<id>`` until the form shows the lead's name;

first with an empty browser cache (**cold**: the first start of a day, assets downloaded
and compiled), then with the browser cache an operator has from the time before
(**warm**: the assets' URLs carry their hash, so Chromium keeps them). The time is
``performance.now()`` (ms since navigation started) when the element is in the page,
taken in the page by a MutationObserver installed before any script runs, plus the
moment the page's load event ended and the start and end of the console's data request.
Printed: p50 / p95 / max per case over ``--rounds`` rounds, and the load average.
"""

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import psycopg2
import requests
import websocket
from latency import pct  # bench/, the script's own folder
from load_jsonrpc import OdooServer, Operator, release

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
CONSOLE_URL = "/odoo/action-lead_flow.action_lead_flow_console"
# In the page before any of its scripts: when ``selector`` first matches, keep the time.
WATCH = """
(() => {
    const selector = %s;
    const done = () => {
        if (window.__lfPaint === undefined && document.querySelector(selector)) {
            window.__lfPaint = performance.now();
            return true;
        }
        return window.__lfPaint !== undefined;
    };
    new MutationObserver((_m, observer) => done() && observer.disconnect()).observe(
        document, { childList: true, subtree: true }
    );
})();
"""
RESULT = """
(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const data = performance.getEntriesByType("resource").find(
        (r) => r.name.includes("lead_flow_console_data")
    );
    return JSON.stringify({
        paint: window.__lfPaint,
        loaded: nav ? nav.loadEventEnd : null,
        data: data ? [data.startTime, data.responseEnd] : null,
    });
})()
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--login", default="bench_op_01", help="an operator (password = login)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8089)
    return parser.parse_args()


class Page:
    """One Chromium tab driven over the DevTools protocol."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.ids = itertools.count(1)

    def send(self, method, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")

    def measure(self, url, selector, timeout=60):
        """Navigate to ``url``; the page's times once ``selector`` is in it."""
        script = self.send(
            "Page.addScriptToEvaluateOnNewDocument", source=WATCH % json.dumps(selector)
        )["identifier"]
        try:
            self.send("Page.navigate", url=url)
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.evaluate("window.__lfPaint !== undefined"):
                    time.sleep(0.2)  # let the load event end if it has not
                    return json.loads(self.evaluate(RESULT))
                time.sleep(0.02)
            raise RuntimeError(f"{selector} not on {url} within {timeout} s")
        finally:
            self.send("Page.removeScriptToEvaluateOnNewDocument", identifier=script)


class Chromium:
    def __init__(self, port):
        self.profile = tempfile.mkdtemp(prefix="lf_paint_")
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--window-size=1366,768",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                tabs = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                page = next(tab for tab in tabs if tab["type"] == "page")
                break
            except (requests.RequestException, StopIteration, ValueError):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.page = Page(page["webSocketDebuggerUrl"])
        self.page.send("Page.enable")
        self.page.send("Network.enable")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    args = parse_args()
    server = OdooServer(args)
    server.start()
    browser = None
    try:
        base = f"http://127.0.0.1:{args.port}"
        operator = Operator(base, args.database, args.login)
        lead_id = operator.call("crm.lead", "lead_flow_claim_next", [])
        if not lead_id:
            sys.exit(f"{args.login} got no lead: the queue of {args.database} is empty")
        browser = Chromium(args.port + 10)
        page = browser.page
        page.send(
            "Network.setCookie",
            name="session_id",
            value=operator.http.cookies["session_id"],
            url=base,
        )
        cases = {
            "console": (base + CONSOLE_URL, ".o_lead_flow_console_name"),
            "lead form": (
                f"{base}/odoo/crm.lead/{lead_id}",
                ".o_form_view .o_field_widget[name=name] textarea",
            ),
        }
        results = {}
        # Out of the figures: the server generating its asset bundles, the first compile.
        page.measure(base + CONSOLE_URL, ".o_lead_flow_console_name")
        for _round in range(args.rounds):
            for name, (url, selector) in cases.items():
                page.send("Network.clearBrowserCache")
                results.setdefault((name, "cold"), []).append(page.measure(url, selector))
                results.setdefault((name, "warm"), []).append(page.measure(url, selector))
        print(
            f"database {args.database}, Odoo --workers={args.workers}, {args.rounds} rounds,"
            f" load average {os.getloadavg()[0]:.2f}; ms after navigation p50 / p95 / max"
        )
        for (name, cache), runs in results.items():
            paints = [run["paint"] for run in runs]
            loaded = [run["loaded"] for run in runs if run["loaded"]]
            data = [run["data"][1] for run in runs if run["data"]]
            print(
                f"  {name:<10} {cache:<5} first paint {pct(paints, 50):6.0f} {pct(paints, 95):6.0f}"
                f" {max(paints):6.0f}   page loaded {pct(loaded, 50) if loaded else 0:6.0f}"
                + (f"   console data answered {pct(data, 50):6.0f}" if data else "")
            )
    finally:
        if browser:
            browser.stop()
        server.stop()
        conn = psycopg2.connect(dbname=args.database)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT id FROM res_users WHERE login = %s", [args.login])
                uids = [uid for (uid,) in cr.fetchall()]
            conn.commit()
            release(conn, uids)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
