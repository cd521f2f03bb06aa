# Sourced by the other scripts: fail loudly when Odoo 18 or PostgreSQL is missing,
# and compute the addons path. Never skip: a run without Odoo proves nothing.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

if ! ODOO_ADDONS="$("$PYTHON" - <<'PY'
import os, odoo, odoo.release as r
assert r.version_info[0] == 18, f"Odoo {r.version} found, 18.0 needed"
print(os.path.join(os.path.dirname(odoo.__file__), "addons"))
PY
)"; then
    echo "FATAL: '$PYTHON' cannot import Odoo 18 (see README.md, 'Requirements')." >&2
    exit 2
fi
ADDONS_PATH="${REPO_ROOT},${ODOO_ADDONS}"

# Same connection settings as Odoo: libpq env vars (PGHOST, PGPORT, PGUSER) or the local socket.
if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    echo "FATAL: PostgreSQL is unreachable (psql -d postgres failed)." >&2
    echo "       Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
    exit 2
fi
export REPO_ROOT PYTHON ADDONS_PATH
