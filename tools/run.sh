#!/usr/bin/env bash
# Start an Odoo server on http://localhost:8069 with lead_flow and its demo data.
# The database (default lead_flow_demo) is created and the addon installed on first run.
# Log in as admin/admin (manager), olivia/olivia or oscar/oscar (operators), mia/mia (manager).
source "$(dirname "$0")/preflight.sh"
DB="${LEAD_FLOW_DB:-lead_flow_demo}"
PORT="${LEAD_FLOW_PORT:-8069}"
init=()
if ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='lead_flow' and state='installed'" 2>/dev/null | grep -q 1; then
    init=(-i lead_flow)
fi
exec "$PYTHON" "$REPO_ROOT/tools/odoo" -d "$DB" --db-filter="^${DB}\$" --addons-path="$ADDONS_PATH" \
    --http-interface=127.0.0.1 --http-port="$PORT" "${init[@]}" "$@"
