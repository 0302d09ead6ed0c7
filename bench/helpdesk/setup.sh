#!/usr/bin/env bash
# Set up django-helpdesk for the side-by-side benchmark, apart from Sampark's own .venv:
#   bench/.helpdesk/venv   its own virtualenv (django-helpdesk, uvicorn, httpx, tqdm)
#   bench/.helpdesk/data   the SQLite database (or HELPDESK_DATABASE_URL=postgres://...)
# then migrate. Both live under bench/.helpdesk/, which git ignores.
#
#   bash bench/helpdesk/setup.sh                        latest django-helpdesk from PyPI
#   HELPDESK_SPEC='django-helpdesk==2.6.1' bash ...     pin the version that was measured
#   HELPDESK_DATABASE_URL=postgres://u:p@127.0.0.1/hd bash ...   PostgreSQL instead of SQLite
#
# Rerunning is safe: the venv and the database are reused, migrate is idempotent.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="$(dirname "$HERE")"
STATE="${HELPDESK_STATE:-$BENCH/.helpdesk}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
VENV="$STATE/venv"
PYTHON="${PYTHON:-python3}"
SPEC="${HELPDESK_SPEC:-django-helpdesk}"
# django-helpdesk 2.6 supports Django 5.2 and 6.0; stay on Sampark's Django (5.2) so the two
# differ by application, not by framework version.
DJANGO_SPEC="${HELPDESK_DJANGO_SPEC:-Django>=5.2,<5.3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi

EXTRA=()
if [[ "${HELPDESK_DATABASE_URL:-}" == postgres* ]]; then
  EXTRA+=("psycopg[binary,pool]>=3.2")
fi
"$VENV/bin/pip" install --quiet --upgrade "$SPEC" "$DJANGO_SPEC" "uvicorn>=0.30" "httpx>=0.27" \
  "tqdm>=4.66" "${EXTRA[@]}"

HELPDESK_BENCH_HOME="${HELPDESK_BENCH_HOME:-$STATE/data}"
mkdir -p "$HELPDESK_BENCH_HOME"
# Absolute before the cd below.
export HELPDESK_BENCH_HOME="$(cd "$HELPDESK_BENCH_HOME" && pwd)"
cd "$HERE/project"
"$VENV/bin/python" manage.py migrate --verbosity 0
"$VENV/bin/python" - <<'PY'
from importlib.metadata import version
print(f"django-helpdesk {version('django-helpdesk')} on Django {version('Django')}: ready")
PY
echo "venv: $VENV"
echo "data: $HELPDESK_BENCH_HOME"
