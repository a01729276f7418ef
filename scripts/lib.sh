# Shared helpers for scripts/run and scripts/test. Sourced, not run.

heading() { printf '\n==== %s ====\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "Need root to run: $*  (install it yourself and re-run)"; return 1; fi
}

# need_debs PKG...: install the Debian packages whose tools are missing.
need_debs() {
  local missing=() pkg
  for pkg in "$@"; do
    case "$pkg" in
      chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
      gettext) command -v msgfmt >/dev/null 2>&1 || missing+=(gettext) ;;
      poppler-utils) command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils) ;;
      postgresql) pg_bindir >/dev/null 2>&1 || missing+=(postgresql) ;;
      *) dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  heading "installing Debian packages: ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt-get here: please install ${missing[*]} yourself."; return 1
  fi
  if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null && [ ! -t 0 ]; then
    echo "Not root and no password-less sudo: please run"
    echo "  sudo apt-get install ${missing[*]}"
    return 1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# setup_venv [uv sync args]: a .venv with the locked dependencies.
setup_venv() {
  heading "Python environment"
  local uv=()
  if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then uv=(uv)
  elif python3 -m uv --version >/dev/null 2>&1; then uv=(python3 -m uv)
  else
    echo "installing uv with pip"
    # Plain pip first (pyenv, a venv); then per-user; then past Debian's
    # "externally managed" guard, still per-user, never into the system site.
    python3 -m pip install --quiet uv 2>/dev/null ||
      python3 -m pip install --quiet --user uv 2>/dev/null ||
      python3 -m pip install --quiet --user --break-system-packages uv ||
      { echo "Could not install uv: install it (https://docs.astral.sh/uv/) and re-run."; return 1; }
    uv=(python3 -m uv)
  fi
  # Use a Python that is already here (pyenv's 3.13 via .python-version) when there is one.
  if [ -z "${UV_PYTHON_DOWNLOADS:-}" ] && python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    export UV_PYTHON_DOWNLOADS=never UV_PYTHON="$(python3 -c 'import sys; print(sys.executable)')"
  fi
  "${uv[@]}" sync --frozen "$@"
}

compile_messages() {
  if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then
    DEBUG=true .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
  fi
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

# pg_start [durable]: a throwaway PostgreSQL server on a free port; sets PG_URL (TCP),
# PG_SOCKET_URL (its Unix socket) and PG_DIR. For the tests it skips flushing to disk
# (fsync, synchronous_commit off); "durable" keeps PostgreSQL's defaults, as a real
# server has them, for the benchmarks.
pg_start() {
  local bin user port durability="-c fsync=off -c synchronous_commit=off"
  [ "${1:-}" = durable ] && durability=""
  bin="$(pg_bindir)" || { echo "PostgreSQL server binaries not found"; return 1; }
  PG_DIR="$(mktemp -d)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR"; user=(runuser -u postgres --)
  else
    user=()
  fi
  "${user[@]}" "$bin/initdb" -D "$PG_DIR/data" -U app --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log"; return 1; }
  "${user[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 $durability -c max_connections=200" start >/dev/null ||
    { cat "$PG_DIR/server.log"; return 1; }
  PG_BIN="$bin"; PG_USER=("${user[@]}")
  # Stop the server however the script ends: normally, on failure, or on Ctrl+C.
  trap pg_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U app app || return 1
  PG_URL="postgres://app@127.0.0.1:$port/app"
  # The same server through its Unix socket (the socket's folder as the host): cheaper
  # per query than TCP on one machine (docs/performance.md, "Eleventh pass").
  PG_SOCKET_URL="postgres://app@$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PG_DIR"):$port/app"
  echo "PostgreSQL running at $PG_URL"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_USER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1
  rm -rf "$PG_DIR"; PG_DIR=""
}
