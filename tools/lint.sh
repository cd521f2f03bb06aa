#!/usr/bin/env bash
# ruff (style, imports, bugbear) and pylint-odoo (Odoo conventions) on the addon and scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
ruff format --check .
pylint --rcfile=.pylintrc lead_flow lead_flow_mass_mailing
echo "lint: clean"
