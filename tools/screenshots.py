#!/usr/bin/env python3
"""README screenshots of lead_flow, taken by headless Chromium against a demo database.

    tools/screenshots.py                    # against a running server (make run)
    tools/screenshots.py --start-server     # starts its own server, stops it afterwards

Without --start-server it expects an Odoo server at --url serving --database with
lead_flow and its demo data, which is what ``make run`` starts (http://127.0.0.1:8069,
database lead_flow_demo). With --start-server it runs tools/odoo itself on a free port:
it installs lead_flow with its demo data when the database lacks it (about a minute),
updates lead_flow otherwise (``--fresh`` drops and recreates the database first), and
stops the server at the end.

It logs in through JSON-RPC (/web/session/authenticate), hands the session cookie to
``chromium --headless=new`` and drives it over the Chrome DevTools Protocol (the websocket
of --remote-debugging-port, module ``websocket`` = websocket-client): navigate, wait until
the view is rendered and the web client idle, capture a PNG. Files written to --out:
console.png, console_mobile.png, dashboard.png, queue.png, lead_form.png, report_pivot.png,
report_graph.png, settings.png.

Exit status: 0 all written, 1 a page did not render in time (the others are still
written), 2 setup failed (server unreachable, bad login, lead_flow missing, no Chromium).
"""

import argparse
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTH, HEIGHT = 1440, 900


class SetupError(Exception):
    """Nothing can be captured: exit status 2."""


class RenderError(Exception):
    """One page did not render: exit status 1 at the end."""


# ----------------------------------------------------------------------------------------
# Odoo side: optional server, JSON-RPC session
# ----------------------------------------------------------------------------------------
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(database, sql):
    return subprocess.run(
        ["psql", "-d", database, "-Atc", sql], capture_output=True, text=True, check=False
    )


def db_has_lead_flow(database):
    res = psql(
        database,
        "select 1 from ir_module_module where name = 'lead_flow' and state = 'installed'",
    )
    return res.returncode == 0 and res.stdout.strip() == "1"


class OdooServer:
    """tools/odoo on a free port, its log in a temporary file."""

    def __init__(self, database, fresh=False):
        self.database = database
        self.fresh = fresh
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        fd, self.log_path = tempfile.mkstemp(prefix="lead_flow_screenshots_", suffix=".log")
        self.log = os.fdopen(fd, "w")

    def start(self):
        if psql("postgres", "select 1").returncode:
            raise SetupError("PostgreSQL is unreachable (psql -d postgres failed).")
        if self.fresh:
            res = subprocess.run(
                ["dropdb", "--if-exists", self.database], capture_output=True, text=True
            )
            if res.returncode:
                raise SetupError(f"cannot drop {self.database}: {res.stderr.strip()}")
        try:
            import odoo  # only needed here: where Odoo's own addons are

            odoo_addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
        except ImportError as exc:
            raise SetupError(
                f"--start-server needs Odoo 18 importable by python3 ({exc})."
            ) from exc
        init = "-u" if db_has_lead_flow(self.database) else "-i"
        cmd = [
            sys.executable,
            os.path.join(REPO, "tools", "odoo"),
            "-d",
            self.database,
            f"--db-filter=^{self.database}$",
            f"--addons-path={REPO},{odoo_addons}",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            "--max-cron-threads=0",
            init,
            "lead_flow",
        ]
        what = "installing lead_flow + demo data" if init == "-i" else "updating lead_flow"
        print(f"server: {self.url}, database {self.database}, {what} (log: {self.log_path})")
        self.proc = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def check_alive(self):
        if self.proc and self.proc.poll() is not None:
            self.log.flush()
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                tail = "".join(f.readlines()[-15:])
            raise SetupError(f"the Odoo server exited with status {self.proc.returncode}:\n{tail}")

    def stop(self, keep_log=False):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # Odoo's graceful shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if keep_log:
            print(f"server log: {self.log_path}", file=sys.stderr)
        else:
            os.unlink(self.log_path)


class OdooSession:
    def __init__(self, url, database):
        self.url = url.rstrip("/")
        self.database = database
        self.http = requests.Session()

    def _post(self, path, params, timeout=30):
        payload = {"jsonrpc": "2.0", "method": "call", "params": params}
        res = self.http.post(self.url + path, json=payload, timeout=timeout)
        res.raise_for_status()
        body = res.json()
        if body.get("error"):
            err = body["error"]
            raise SetupError(f"{path}: {err.get('data', {}).get('message') or err.get('message')}")
        return body["result"]

    def authenticate(self, login, password, wait=0.0, server=None):
        """Log in; with ``wait``, retry that long while the server is still starting."""
        deadline = time.monotonic() + wait
        while True:
            try:
                params = {"db": self.database, "login": login, "password": password}
                result = self._post("/web/session/authenticate", params)
                break
            except (requests.ConnectionError, requests.Timeout, requests.HTTPError) as exc:
                if server:
                    server.check_alive()
                if time.monotonic() > deadline:
                    raise SetupError(
                        f"Odoo server unreachable at {self.url} ({type(exc).__name__}). "
                        "Start one with `make run` (or pass --start-server)."
                    ) from exc
                time.sleep(2)
            except SetupError:
                if server and time.monotonic() < deadline:  # registry still loading
                    server.check_alive()
                    time.sleep(2)
                    continue
                raise
        if not result or not result.get("uid"):
            raise SetupError(f"login {login!r} refused on database {self.database!r}.")
        return self.http.cookies.get("session_id")

    def call(self, model, method, *args, **kwargs):
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        return self._post("/web/dataset/call_kw", params)

    def check_lead_flow(self):
        if not self.call(
            "ir.module.module",
            "search_count",
            [("name", "=", "lead_flow"), ("state", "=", "installed")],
        ):
            raise SetupError(
                f"lead_flow is not installed on {self.database!r}: "
                "use `make run` or --start-server."
            )

    def lead_with_history(self):
        """The lead with the most manual, not undone entries (several log types if possible)."""
        groups = self.call(
            "lead.flow.log",
            "read_group",
            [("origin", "=", "manual"), ("undone", "=", False), ("lead_id.active", "=", True)],
            ["lead_id"],
            ["lead_id"],
            orderby="lead_id_count desc, lead_id",
            limit=10,
        )
        if not groups:
            raise SetupError("no lead with Lead Flow entries: is the demo data loaded?")
        best = max(
            groups[:10],
            key=lambda g: (
                g["lead_id_count"],
                len(
                    self.call(
                        "lead.flow.log",
                        "read_group",
                        [("lead_id", "=", g["lead_id"][0]), ("undone", "=", False)],
                        ["type_id"],
                        ["type_id"],
                    )
                ),
            ),
        )
        return best["lead_id"][0]


# ----------------------------------------------------------------------------------------
# Chromium over the DevTools Protocol
# ----------------------------------------------------------------------------------------
def find_chromium(explicit=None):
    for name in [explicit] if explicit else ["chromium", "chromium-browser", "google-chrome"]:
        path = shutil.which(name)
        if path:
            return path
    raise SetupError("Chromium not found (apt-get install chromium, or pass --chromium PATH).")


class Chrome:
    """Headless Chromium, one page, driven through its DevTools websocket."""

    def __init__(self, executable):
        try:
            import websocket  # websocket-client; imported here for a clear message
        except ImportError as exc:
            raise SetupError(
                "the Python module websocket (websocket-client) is missing: make deps"
            ) from exc
        self._websocket = websocket
        self.profile = tempfile.mkdtemp(prefix="lead_flow_chrome_")
        cmd = [
            executable,
            "--headless=new",
            "--no-sandbox",  # needed as root, as in Odoo's ChromeBrowser
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-breakpad",
            "--disable-crash-reporter",
            "--disable-translate",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--lang=en-US",
            f"--window-size={WIDTH},{HEIGHT}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",  # Chromium picks one, written to DevToolsActivePort
            f"--user-data-dir={self.profile}",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        port = self._devtools_port()
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        # Chromium refuses websocket handshakes with an Origin header it does not know.
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True
        )
        self._ids = iter(range(1, 1 << 30))
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Network.enable")
        self.viewport(WIDTH, HEIGHT)

    def viewport(self, width, height):
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _devtools_port(self, timeout=30):
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SetupError(f"Chromium exited at start-up (status {self.proc.returncode}).")
            if os.path.isfile(port_file) and os.path.getsize(port_file) > 2:
                with open(port_file, encoding="utf-8") as f:
                    return int(f.readline())
            time.sleep(0.1)
        raise SetupError(f"Chromium did not open its DevTools port within {timeout} s.")

    def send(self, method, **params):
        """One CDP command, its result (events received meanwhile are dropped)."""
        msg_id = next(self._ids)
        try:
            self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                msg = json.loads(self.ws.recv())
                if msg.get("id") == msg_id:
                    break
        except self._websocket.WebSocketException as exc:
            raise SetupError(f"Chromium stopped answering ({method}: {exc!r}).") from exc
        if "error" in msg:
            raise RenderError(f"{method}: {msg['error'].get('message')}")
        return msg.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise RenderError(f"script failed: {text}")
        return result.get("result", {}).get("value")

    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", name=name, value=value, url=url, httpOnly=True)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png", fromSurface=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        # best effort: the process is killed below if it does not exit
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        with contextlib.suppress(Exception):
            self.ws.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


# ----------------------------------------------------------------------------------------
# The pages
# ----------------------------------------------------------------------------------------
# True when `selector` is present, the web client shows no spinner / blocking overlay and
# has no pending RPC; a string when Odoo shows an error dialog.
READY_JS = """(() => {
    const err = document.querySelector('.o_error_dialog, .o_dialog .modal-body .alert-danger');
    if (err) { return 'error: ' + err.innerText.slice(0, 300); }
    return document.readyState === 'complete'
        && !!document.querySelector(%s)
        && !document.querySelector('.o_loading_indicator, .o_blockUI, .o_spinner, .fa-spin')
        && !document.querySelector('.o_view_sample_data');
})()"""


@dataclass
class Shot:
    name: str
    path: str  # URL path, {lead} is replaced by the lead id
    ready: str  # CSS selector that proves the view is rendered
    then: list = field(default_factory=list)  # [(JS to run, CSS selector to wait for)]
    settle: float = 0.5  # seconds to wait once idle (chart animations...)
    height: int = HEIGHT  # viewport height for this page
    width: int = WIDTH


SHOTS = [
    Shot(
        "console",
        "/odoo/action-lead_flow.action_lead_flow_console",
        ".o_lead_flow_console",
        then=[
            (
                # take a lead if none is in hand (what Ctrl+Enter does), then pick the first
                # predefined note and the tomorrow-9:00 callback preset
                "const next = document.querySelector('.o_lead_flow_console_next');"
                "if (next) { next.click(); }",
                ".o_lead_flow_console_name",
            ),
            (
                "document.querySelector('.o_lead_flow_console_template').click()",
                ".o_lead_flow_console_template.btn-primary",
            ),
        ],
        width=1366,
        height=768,  # the console must fit a 1366x768 screen without scrolling
    ),
    Shot(
        "console_mobile",
        "/odoo/action-lead_flow.action_lead_flow_console",
        ".o_lead_flow_console_small .o_lead_flow_console_name",
        width=390,
        height=844,  # a phone: Odoo's small-screen layout, the columns stacked
    ),
    Shot(
        "dashboard",
        "/odoo/action-lead_flow.action_lead_flow_dashboard_client",
        ".o_lead_flow_dashboard_graph canvas[data-lead-flow-drawn]",
        settle=1.0,
    ),
    Shot(
        "queue",
        "/odoo/action-lead_flow.action_lead_flow_queue",
        ".o_list_view .o_data_row",
        then=[
            (
                # queue order puts never-contacted leads first: scroll to where the worked
                # ones (status, last contact, outcome, last note) begin
                "const rows = [...document.querySelectorAll('.o_data_row')];"
                "const worked = rows.find((r) =>"
                "    r.querySelector('td[name=lead_flow_last_contact_at]').innerText.trim());"
                "(worked || rows[0]).scrollIntoView({block: 'center'})",
                ".o_list_view .o_data_row",
            ),
        ],
    ),
    Shot(
        "lead_form",
        "/odoo/action-lead_flow.action_lead_flow_queue/{lead}",
        ".o_form_view .o_notebook",
        then=[
            (
                "document.querySelector('.o_notebook .nav-link[name=\"lead_flow\"]').click()",
                "div[name='lead_flow_tiles'] .badge, div[name='lead_flow_log_ids'] .o_data_row",
            ),
        ],
        height=1300,  # header, title, fields, tiles and the history list in one picture
    ),
    Shot(
        "report_pivot",
        "/odoo/action-lead_flow.action_lead_flow_report",
        ".o_pivot table .o_pivot_cell_value",
        # outcomes as rows, operators as columns: three measures per operator fit the width
        then=[("document.querySelector('.o_pivot_flip_button').click()", ".o_pivot table")],
    ),
    Shot(
        "report_graph",
        "/odoo/action-lead_flow.action_lead_flow_report?view_type=graph",
        ".o_graph_renderer canvas",
        settle=1.5,
    ),
    Shot(
        "settings",
        "/odoo/action-crm.crm_config_settings_action",
        ".o_setting_container #lead_flow_reservation",
        then=[
            (
                # tick AI classification (not saved) to show its fields, then scroll
                "document.querySelector('#lead_flow_ai div[name=lead_flow_ai_enabled] input')"
                "    .click()",
                "div[name=lead_flow_ai_api_key]",
            ),
            (
                "document.getElementById('lead_flow_reservation')"
                "    .closest('.o_settings_container').previousElementSibling"
                "    .scrollIntoView({block: 'start'})",
                "#lead_flow_ai",
            ),
        ],
    ),
]


def wait_ready(chrome, selector, timeout, what):
    """Poll until `selector` is there and the page idle three times in a row."""
    deadline = time.monotonic() + timeout
    streak = 0
    state = None
    while time.monotonic() < deadline:
        state = chrome.evaluate(READY_JS % json.dumps(selector))
        if isinstance(state, str):
            raise RenderError(f"{what}: Odoo shows an error: {state}")
        streak = streak + 1 if state else 0
        if streak >= 3:
            return
        time.sleep(0.25)
    raise RenderError(f"{what}: not rendered within {timeout} s (waiting for {selector!r})")


def take(chrome, base_url, shot, out_dir, lead_id, timeout):
    url = base_url + shot.path.format(lead=lead_id)
    chrome.viewport(shot.width, shot.height)
    chrome.send("Page.navigate", url=url)
    time.sleep(0.5)  # let the old document go before polling the new one
    wait_ready(chrome, shot.ready, timeout, shot.name)
    if "/web/login" in (chrome.evaluate("location.pathname") or ""):
        raise RenderError(f"{shot.name}: redirected to the login page (session cookie refused)")
    for script, selector in shot.then:
        chrome.evaluate(script)
        time.sleep(0.3)
        wait_ready(chrome, selector, timeout, shot.name)
    time.sleep(shot.settle)
    path = os.path.join(out_dir, f"{shot.name}.png")
    chrome.screenshot(path)
    return path


# ----------------------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Without --start-server, run `make run` first (or point --url/-d elsewhere).",
    )
    parser.add_argument("-d", "--database", default="lead_flow_demo")
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--out", default=os.path.join(REPO, "docs"))
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--start-server",
        action="store_true",
        help="start tools/odoo on a free port (install or update lead_flow first), stop it after",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="with --start-server: drop and recreate the database"
    )
    parser.add_argument(
        "--lead-id", type=int, help="lead for lead_form.png (default: most history)"
    )
    parser.add_argument("--only", nargs="+", choices=[s.name for s in SHOTS], help="some pages")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per page (60)")
    parser.add_argument("--chromium", help="Chromium executable (default: chromium on PATH)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    server = chrome = None
    failed = []
    status = 2  # until the pages are reached
    try:
        url = args.url
        wait = 0.0
        if args.start_server:
            server = OdooServer(args.database, fresh=args.fresh)
            server.start()
            url, wait = server.url, 900.0
        session = OdooSession(url, args.database)
        cookie = session.authenticate(args.login, args.password, wait=wait, server=server)
        session.check_lead_flow()
        lead_id = args.lead_id or session.lead_with_history()
        os.makedirs(args.out, exist_ok=True)
        chrome = Chrome(find_chromium(args.chromium))
        chrome.set_cookie(session.url, "session_id", cookie)
        status = 0
        for shot in SHOTS:
            if args.only and shot.name not in args.only:
                continue
            t0 = time.monotonic()
            try:
                path = take(chrome, session.url, shot, args.out, lead_id, args.timeout)
            except RenderError as exc:
                failed.append(shot.name)
                print(f"FAILED {exc}", file=sys.stderr)
                continue
            size = os.path.getsize(path) // 1024
            print(f"{os.path.relpath(path)}  {size} KiB  {time.monotonic() - t0:.1f} s")
    except SetupError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 2
    finally:
        if chrome:
            chrome.close()
        if server:
            server.stop(keep_log=bool(status or failed))
    if failed:
        print(f"screenshots: not rendered: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"screenshots: done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
