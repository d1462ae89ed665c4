# Shared by scripts/run and scripts/test: bring a fresh Debian machine that has only
# python3 to a working virtualenv with the pinned dependencies.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        echo "==> apt-get update" >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    echo "==> apt-get install $*" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_venv() {
    local extras="$1"
    if [ ! -x .venv/bin/python ]; then
        # Debian's python3 ships venv without ensurepip until python3-venv is installed.
        if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
            apt_install python3-venv
        fi
        echo "==> creating .venv" >&2
        python3 -m venv .venv
    fi
    local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extras:-base}"
    if [ ! -f "$stamp" ]; then
        echo "==> installing pinned dependencies" >&2
        .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install -q --disable-pip-version-check ".${extras:+[$extras]}"
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}

free_port() {
    .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
