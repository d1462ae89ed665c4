# The embedded default's settings, sourced by scripts/run: the product as users get it
# (DEBUG off, static files through WhiteNoise), on plain HTTP at 127.0.0.1.

# embedded_env KEY_FILE: export a SECRET_KEY kept in KEY_FILE, made once per checkout, so
# DEBUG goes off (settings.py) and sessions survive a restart; turn off the HTTPS-only
# defaults, which would lock a browser out of a plain-HTTP loopback server.
embedded_env() {
    local key_file="$1"
    if [ ! -s "$key_file" ]; then
        # umask first: the key is never readable by others, not even for a moment.
        (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file")
    fi
    chmod 600 "$key_file"
    SECRET_KEY="$(cat "$key_file")"
    export SECRET_KEY
    export SECURE_SSL_REDIRECT=false
    export SECURE_HSTS_SECONDS=0
    export SESSION_COOKIE_SECURE=false
    export CSRF_COOKIE_SECURE=false
}
