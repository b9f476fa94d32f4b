# The image docker-compose.yml runs for web, worker, beat and migrate.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The production settings' manifest storage hashes and compresses the files; the values
# below only let the settings load at build time (nothing connects to them).
RUN DJANGO_SETTINGS_MODULE=backend.settings.production SECRET_KEY=build-only \
    OTP_SEED_KEYS=YnVpbGQtb25seS1ub3QtYS1yZWFsLWtleS0wMDAwMDA= \
    ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput \
    && useradd --create-home app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
