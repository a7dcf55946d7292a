# Shared by bin/run and bin/test. Everything the project needs is installed from here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"

ensure_venv() {  # ensure_venv [dev]: the locked install, every file checked against its hash
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$PY" -m venv .venv
  fi
  local files=(requirements.txt)
  if [ "${1:-}" = dev ]; then files+=(requirements-dev.txt); fi
  local stamp=".venv/.requirements.sha"
  local want; want="$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing ${files[*]} (hash-checked)"
    local args=(); for f in "${files[@]}"; do args+=(-r "$f"); done
    .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps "${args[@]}"
    echo "$want" > "$stamp"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  echo "==> installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_gettext() {  # U3: makemessages/compilemessages need GNU gettext
  if command -v msgfmt >/dev/null && command -v xgettext >/dev/null; then return 0; fi
  echo "==> installing GNU gettext for the translations"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  fi
}

compile_translations() {  # the .mo files are built, never committed
  ensure_gettext
  python manage.py compilemessages --ignore=.venv -v0
}

wait_for() {  # wait_for "description" command...
  local what="$1"; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "FATAL: $what is not reachable" >&2
  return 1
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_for "PostgreSQL on 127.0.0.1:5432" pg_isready -h 127.0.0.1 -p 5432
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return 0; fi
  echo "==> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  wait_for "Redis on 127.0.0.1:6379" sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
}
