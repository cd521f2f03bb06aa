# shellcheck shell=bash
# Sourced by the other scripts: fail loudly when PostgreSQL or Odoo 18 is missing, and
# compute the addons path. Never skip: a run without Odoo proves nothing.
# Odoo: python3's when it imports Odoo 18 (or $PYTHON's, when set); otherwise .venv/,
# built or reused by tools/bootstrap.sh from ODOO_SRC (see README.md, 'Requirements').
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Same connection settings as Odoo: libpq env vars (PGHOST, PGPORT, PGUSER) or the local socket.
if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    echo "FATAL: PostgreSQL is unreachable (psql -d postgres failed)." >&2
    echo "       Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
    exit 2
fi

# Odoo's addons folders, one a line: odoo/addons (base, web...) and, in a git checkout of
# Odoo, the apps next to the package (addons/: crm, mail...).
_lf_odoo_addons() {
    "$1" - <<'PY'
import os, odoo, odoo.release as r
assert r.version_info[0] == 18, f"Odoo {r.version} found, 18.0 needed"
pkg = os.path.dirname(odoo.__file__)
apps = os.path.join(os.path.dirname(pkg), "addons")
if os.path.isfile(os.path.join(apps, "web", "__manifest__.py")):
    print(apps)
print(os.path.join(pkg, "addons"))
PY
}

if [ -n "${PYTHON:-}" ]; then
    ODOO_ADDONS="$(_lf_odoo_addons "$PYTHON")" \
        || { echo "FATAL: PYTHON=$PYTHON cannot import Odoo 18 (see README.md, 'Requirements')." >&2; exit 2; }
elif ODOO_ADDONS="$(_lf_odoo_addons python3 2>/dev/null)"; then
    PYTHON=python3
else
    # shellcheck source=tools/bootstrap.sh
    source "$REPO_ROOT/tools/bootstrap.sh"
    lf_bootstrap  # sets PYTHON to .venv/bin/python, or exits 2 saying why
    ODOO_ADDONS="$(_lf_odoo_addons "$PYTHON")" \
        || { echo "FATAL: $PYTHON cannot import Odoo 18." >&2; exit 2; }
fi
ADDONS_PATH="${REPO_ROOT},$(echo "$ODOO_ADDONS" | paste -sd,)"
ODOO_ADDONS="$(echo "$ODOO_ADDONS" | head -1)"  # the folder holding crm
export REPO_ROOT PYTHON ADDONS_PATH
