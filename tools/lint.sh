#!/usr/bin/env bash
# OCA's checks through pre-commit (.pre-commit-config.yaml): ruff (check + format),
# pylint-odoo with .pylintrc (optional checks, reported) and .pylintrc-mandatory (failing),
# oca-checks-odoo-module, oca-checks-po and README.rst generated from readme/.
# Hooks that fix files (ruff, ruff format, the README generator) fix them and fail the run:
# look at `git diff`, keep the fixes and run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pre-commit >/dev/null 2>&1; then
    echo "FATAL: pre-commit is not installed: make deps (pip install -r requirements.txt)" >&2
    exit 2
fi
pre-commit run --all-files --show-diff-on-failure
echo "lint: clean"
