# Vigil production image: gunicorn for the web, the same image runs the Celery worker and beat.
# docker-compose.yml describes the whole production deployment.
FROM python:3.11-slim-bookworm

# Settings find templates/ and static/ next to the source tree, which pip does not package, so
# every process (gunicorn, manage.py, celery) imports the tree at /app (PYTHONPATH comes before
# site-packages), never the copy `pip install .` leaves in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    VIGIL_ENV=production \
    VIGIL_VAR_DIR=/var/lib/vigil

# Libraries WeasyPrint loads at run time to render chronology PDFs. harfbuzz-subset lets it
# subset embedded fonts (WeasyPrint warns without it and will require it in future).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 vigil \
    && useradd --system --uid 10001 --gid vigil --create-home --home-dir /home/vigil \
        --shell /usr/sbin/nologin vigil

WORKDIR /app

# Dependencies first, read from pyproject.toml, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install . \
    && rm -rf build *.egg-info

# The settings refuse to load in production without a secret key, hosts and a database, so
# collectstatic gets throwaway values that exist for this one command only (a random key, a
# database host that cannot resolve); nothing connects and nothing is kept in the image.
RUN VIGIL_ENV=production \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    python manage.py collectstatic --noinput

# Code and static files stay root-owned (read-only to the app); only attachments (local disk,
# when no S3 bucket is configured) are writable, and docker-compose.yml mounts a volume there.
RUN mkdir -p "$VIGIL_VAR_DIR/attachments" \
    && chown vigil:vigil "$VIGIL_VAR_DIR/attachments"

USER vigil

EXPOSE 8000

CMD ["gunicorn", "safeguard.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
