#!/usr/bin/env bash
# Run the lead_flow tests with pytest-odoo. pytest-odoo needs a database where lead_flow
# is already installed: this script creates/updates one (default lead_flow_pytest).
# Extra arguments go to pytest, e.g. tools/pytest.sh -k reserve
source "$(dirname "$0")/preflight.sh"
DB="${LEAD_FLOW_PYTEST_DB:-lead_flow_pytest}"
if psql -d "$DB" -Atc "select 1 from ir_module_module where name='lead_flow' and state='installed'" 2>/dev/null | grep -q 1; then
    "$PYTHON" -m odoo -d "$DB" --addons-path="$ADDONS_PATH" -u lead_flow,lead_flow_mass_mailing,lead_flow_portal,lead_flow_order,sms --stop-after-init --log-level=warn
else
    "$PYTHON" -m odoo -d "$DB" --addons-path="$ADDONS_PATH" -i lead_flow,lead_flow_mass_mailing,lead_flow_portal,lead_flow_order,sms --stop-after-init --log-level=warn
fi
cd "$REPO_ROOT"
exec "$PYTHON" -m pytest --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" \
    --odoo-log-level=warn --odoo-http -p no:cacheprovider lead_flow/tests lead_flow_mass_mailing/tests lead_flow_portal/tests lead_flow_order/tests "$@"
