# Dev loop for lead_flow. Needs a local PostgreSQL, and Odoo 18 importable by python3 or else
# built into .venv/ from ODOO_SRC on first use (tools/bootstrap.sh, see README.md).
.PHONY: run test peer pytest lint readme deps screenshots venv

run:            ## Odoo on http://localhost:8069 with lead_flow + demo data (db lead_flow_demo)
	tools/run.sh

test:           ## whole suite on a fresh database with Odoo's runner (what CI runs)
	tools/test.sh

peer:           ## Odoo's own crm tests with and without lead_flow: fails on any test failing only with it
	tools/peer.sh

pytest:         ## same tests through pytest-odoo, on a database with lead_flow installed
	tools/pytest.sh

lint:           ## OCA checks through pre-commit: ruff, pylint-odoo, oca-checks-*, README.rst
	tools/lint.sh

readme:         ## each addon's README.rst from its readme/ fragments (tools/gen_addon_readme.py)
	python3 tools/gen_addon_readme.py --addons-dir=. || [ $$? -eq 1 ]  # 1: rewritten

venv:           ## build or check .venv/ (Odoo 18.0 from ODOO_SRC + pinned requirements), as run/test do when python3 has no Odoo
	tools/bootstrap.sh

deps:           ## the addon's own Python dependencies
	python3 -m pip install -r requirements.txt

screenshots:    ## docs/*.png: headless Chromium against its own demo server (tools/screenshots.py)
	python3 tools/screenshots.py --start-server
