# Throwaway PostgreSQL and Redis on loopback for scripts/test and bench/run.
# start_services installs the Debian packages if missing, starts both servers on free
# ports in a fresh directory, exports DATABASE_URL and TEST_REDIS_URL, and removes
# everything when the calling script exits.

pg_as() {
    # PostgreSQL refuses to run as root: use its own system user when we are root.
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_services() {
    pg_as "$pg_bin/pg_ctl" -D "$run_dir/pg" -m immediate stop >/dev/null 2>&1 || true
    if [ -f "$run_dir/redis.pid" ]; then kill "$(cat "$run_dir/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$run_dir"
}

start_services() {
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    local missing=()
    if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then missing+=(postgresql); fi
    command -v redis-server >/dev/null || missing+=(redis-server)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
        pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi

    # Separate from any system-wide server the Debian packages started: ours is throwaway.
    run_dir=$(mktemp -d /tmp/tam-portal-services.XXXXXX)
    chmod 755 "$run_dir"
    trap stop_services EXIT
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$run_dir"; fi
    local pg_port redis_port
    pg_port=$(free_port)
    redis_port=$(free_port)
    echo "==> PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port ($run_dir)"
    pg_as "$pg_bin/initdb" -D "$run_dir/pg" -U tam --auth=trust -E UTF8 --no-locale >/dev/null
    # Durability is pointless for a throwaway server; turning it off makes tests faster.
    pg_as "$pg_bin/pg_ctl" -D "$run_dir/pg" -l "$run_dir/pg.log" -w start -o \
        "-c listen_addresses=127.0.0.1 -p $pg_port -k $run_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    pg_as "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U tam tam_portal
    redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
        --daemonize yes --pidfile "$run_dir/redis.pid" --logfile "$run_dir/redis.log" \
        --dir "$run_dir"

    export DATABASE_URL="postgres://tam@127.0.0.1:$pg_port/tam_portal"
    export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
}
