# TAM Portal production image: gunicorn serving tam_portal.wsgi; the same image runs the
# Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. pyproject.toml declares
# no packages: `pip install .` only installs its pinned dependencies, and the app runs from
# the source tree copied into /app below.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .

# Static files are collected into the image (STATIC_ROOT, /app/staticfiles by default).
# The key only lets settings load with DEBUG off; it signs nothing and is not used at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only-build-time-key-not-used-at-runtime \
    python manage.py collectstatic --noinput

# The code stays owned by root and read-only to the process that serves it.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin tam
USER tam

EXPOSE 8000
# Workers, threads, timeouts and logging: gunicorn.conf.py (GUNICORN_* variables override).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "tam_portal.wsgi:application"]
