#!/usr/bin/env bash
# Build (or reuse) .venv/: Odoo 18.0 Community with its pinned requirements for Python 3.11
# (tools/odoo-requirements-py311.txt) and the addon's requirements.txt. tools/preflight.sh
# sources this file when python3 cannot import Odoo 18 and runs the scripts with
# .venv/bin/python; run it directly to build or check .venv/ by hand.
#
# ODOO_SRC  where Odoo comes from (default: the official repository, branch 18.0):
#           - a source folder holding odoo/__init__.py and odoo/release.py of version 18
#             (a checkout of Odoo 18.0, an extracted archive): used in place;
#           - a git repository (clone, bare mirror): its ODOO_REF (default 18.0) is
#             extracted with `git archive` into .venv/src/odoo;
#           - a git URL: cloned (--depth 1 --branch ODOO_REF) and extracted the same way.
# ODOO_REF  branch, tag or commit for the git cases (default 18.0).
# LEAD_FLOW_BASE_PYTHON  the Python 3.11 the venv is made from (default python3.11 or python3).
#
# A stamp (.venv/.lead_flow_stamp: hash of both requirement files, this script and the
# Odoo source) makes a second run reuse .venv/ at once; any change rebuilds what changed.
# Debian packages needed to build (C compiler, libpq-dev, libldap2-dev, libsasl2-dev) and to
# test (chromium for the tours, wkhtmltopdf for PDF reports) are installed when running as
# root with apt-get, named with the apt-get command otherwise. Exit status 2 on any failure.

_lf_die() {
    echo "FATAL: $*" >&2
    exit 2
}

# The base Python: 3.11, since the pins are Python 3.11's.
_lf_base_python() {
    local candidate
    for candidate in ${LEAD_FLOW_BASE_PYTHON:-python3.11 python3}; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Debian packages missing for the build (fatal) and for the tests (a warning).
_lf_system_packages() {
    local base=$1 need_git=$2 build=() runtime=() include
    command -v cc >/dev/null 2>&1 || build+=(build-essential)
    include="$("$base" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
    [ -f "$include/Python.h" ] || build+=(python3-dev)
    "$base" -c 'import ensurepip' >/dev/null 2>&1 || build+=(python3-venv)
    command -v pg_config >/dev/null 2>&1 || build+=(libpq-dev)          # psycopg2 (no wheel)
    [ -f /usr/include/ldap.h ] || build+=(libldap2-dev)                # python-ldap
    [ -f /usr/include/sasl/sasl.h ] || build+=(libsasl2-dev)           # python-ldap
    if [ "$need_git" = 1 ] && ! command -v git >/dev/null 2>&1; then build+=(git); fi
    command -v chromium >/dev/null 2>&1 || runtime+=(chromium)         # browser tours
    command -v wkhtmltopdf >/dev/null 2>&1 || runtime+=(wkhtmltopdf)   # PDF reports
    local missing=("${build[@]}" "${runtime[@]}")
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing Debian packages: ${missing[*]}"
        apt-get install -y -q "${missing[@]}" >/dev/null \
            || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; } \
            || _lf_die "apt-get install ${missing[*]} failed"
        return 0
    fi
    if [ ${#build[@]} -gt 0 ]; then
        _lf_die "missing system packages to build Odoo's requirements: sudo apt-get install -y ${missing[*]}"
    fi
    echo "WARNING: missing ${runtime[*]} (chromium: browser tours, make test fails without it;" \
        "wkhtmltopdf: PDF reports): sudo apt-get install -y ${runtime[*]}" >&2
}

# pip with its whole output in the log; on the terminal, what it collects and builds.
_lf_pip() {
    local log=$1
    shift
    echo "\$ pip install $*" >>"$log"
    if ! "$LF_VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "$@" 2>&1 \
        | tee -a "$log" | awk '
            /^Collecting / { printf "%s%s", (n++ % 8 ? " " : (n > 1 ? "\n" : "") "   collecting:"), $2; fflush() }
            /Building wheel for .*started/ { printf "%s   building %s\n", (n ? "\n" : ""), $4; n = 0; fflush() }
            /^Successfully installed/ { printf "%s   installed %d packages\n", (n ? "\n" : ""), NF - 2; n = 0 }
            END { if (n) print "" }'; then  # pipefail: pip's status
        grep -E "^ERROR|error:" "$log" | tail -15 >&2
        _lf_die "pip install $* failed (full log: $log)"
    fi
}

# Odoo 18 source from a git repository: ref extracted into .venv/src/odoo, the apps of
# addons/ moved next to base in odoo/addons (as in Odoo's packaged layout).
_lf_extract() {
    local gitdir=$1 commit=$2 dest="$LF_VENV/src/odoo"
    rm -rf "$dest" "$dest.tmp"
    mkdir -p "$dest.tmp"
    echo "== extracting Odoo $commit into ${dest#"$REPO_ROOT"/}"
    git -C "$gitdir" archive --format=tar "$commit" -- odoo addons odoo-bin requirements.txt \
        | tar -x -C "$dest.tmp" --transform='s,^addons/,odoo/addons/,' \
        || _lf_die "git archive of $commit from $gitdir failed"
    rmdir "$dest.tmp/addons" 2>/dev/null || true  # emptied by the move
    mv "$dest.tmp" "$dest"
}

lf_bootstrap() {
    local src="${ODOO_SRC:-https://github.com/odoo/odoo.git}" ref="${ODOO_REF:-18.0}"
    local req="$REPO_ROOT/tools/odoo-requirements-py311.txt" kind commit="" odoo_root base key
    local start=$SECONDS
    LF_VENV="$REPO_ROOT/.venv"
    base="$(_lf_base_python)" || _lf_die "Python 3.11 not found (the pins in $req are Python 3.11's):" \
        "install it (Debian 12: sudo apt-get install -y python3 python3-venv python3-dev)" \
        "or set LEAD_FLOW_BASE_PYTHON"

    # What ODOO_SRC is, and the key identifying that source.
    if [ -f "$src/odoo/release.py" ] && [ -f "$src/odoo/__init__.py" ] \
        && [ "$("$base" -c 'import runpy, sys; print(runpy.run_path(sys.argv[1])["version_info"][0])' \
            "$src/odoo/release.py" 2>/dev/null)" = 18 ]; then
        kind=folder
        odoo_root="$(cd "$src" && pwd -P)"
        key="folder $odoo_root"
    elif [ -d "$src" ] && git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        kind=git
        commit="$(git -C "$src" rev-parse --verify -q "$ref^{commit}" \
            || git -C "$src" rev-parse --verify -q "origin/$ref^{commit}")" \
            || _lf_die "ODOO_SRC=$src: no branch, tag or commit '$ref' (set ODOO_REF)"
        key="git $(cd "$src" && pwd -P) $commit"
    elif [ -e "$src" ]; then
        _lf_die "ODOO_SRC=$src is neither an Odoo 18 source folder (odoo/release.py of version 18) nor a git repository"
    elif [[ "$src" != *://* && "$src" != *@*:* ]]; then
        _lf_die "ODOO_SRC=$src: no such folder (nor a git URL)"
    else
        kind=url
        key="url $src $ref"
    fi
    key="$(printf '%s\n' "$key" "$("$base" -V)" \
        | cat - "$req" "$REPO_ROOT/requirements.txt" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"

    mkdir -p "$LF_VENV"
    exec 9>"$LF_VENV/.lock"
    if command -v flock >/dev/null 2>&1; then flock 9; fi  # one build at a time
    if [ -x "$LF_VENV/bin/python" ] && [ "$(cat "$LF_VENV/.lead_flow_stamp" 2>/dev/null)" = "$key" ]; then
        PYTHON="$LF_VENV/bin/python"
        echo "== Odoo 18 from .venv/ (ready, $kind source)" >&2
        exec 9>&-
        return 0
    fi

    local log="$LF_VENV/bootstrap.log"
    echo "== python3 cannot import Odoo 18: building .venv/ with Odoo 18.0 from ${src} (log: ${log#"$REPO_ROOT"/})"
    : >"$log"
    echo "== [1/5] system packages"
    _lf_system_packages "$base" "$([ "$kind" = folder ] && echo 0 || echo 1)"

    echo "== [2/5] Odoo source ($kind)"
    if [ "$kind" = folder ]; then
        echo "   $odoo_root, used in place"
    else
        if [ "$(cat "$LF_VENV/src/.stamp" 2>/dev/null)" != "$key" ] || [ ! -f "$LF_VENV/src/odoo/odoo/release.py" ]; then
            mkdir -p "$LF_VENV/src"
            if [ "$kind" = url ]; then
                local clone="$LF_VENV/src/odoo.git"
                rm -rf "$clone"
                echo "   git clone --depth 1 --branch $ref $src (a few hundred MB)"
                git clone --progress --depth 1 --branch "$ref" --no-checkout "$src" "$clone" \
                    || _lf_die "git clone of $src (branch $ref) failed: no network? Set ODOO_SRC to a local Odoo 18.0 checkout or source folder"
                commit="$(git -C "$clone" rev-parse HEAD)"
                _lf_extract "$clone" "$commit"
                rm -rf "$clone"
            else
                _lf_extract "$src" "$commit"
            fi
            echo "$key" >"$LF_VENV/src/.stamp"
        fi
        odoo_root="$LF_VENV/src/odoo"
    fi

    echo "== [3/5] virtual environment (${base}, $("$base" -V))"
    if ! "$LF_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        "$base" -m venv "$LF_VENV" || _lf_die "$base -m venv failed (Debian: sudo apt-get install -y python3-venv)"
    fi
    local site
    site="$("$LF_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$odoo_root" >"$site/odoo-src.pth"  # Odoo itself: its source folder on sys.path

    echo "== [4/5] Odoo's pinned requirements for Python 3.11 (first time: a few minutes, C builds)"
    _lf_pip "$log" "$(grep -m1 '^setuptools' "$req")" wheel
    _lf_pip "$log" --no-build-isolation -r "$req"
    echo "== [5/5] the addon's requirements.txt"
    _lf_pip "$log" -r "$REPO_ROOT/requirements.txt" -c "$req"

    "$LF_VENV/bin/python" - <<'PY' >>"$log" 2>&1 || { tail -5 "$log" >&2; _lf_die "Odoo 18 does not import from .venv/ (log: $log)"; }
import gevent, ldap, lxml, psycopg2, openai, websocket  # noqa: F401
import odoo.release as r
assert r.version_info[0] == 18, r.version
PY
    echo "$key" >"$LF_VENV/.lead_flow_stamp"
    PYTHON="$LF_VENV/bin/python"
    echo "== .venv/ ready in $((SECONDS - start)) s: Odoo 18 from $odoo_root"
    exec 9>&-
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # run directly
    set -euo pipefail
    REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    lf_bootstrap
    echo "$PYTHON"
fi
