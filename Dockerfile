# The image docker-compose.yml runs for web, worker, beat and migrate.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SETTINGS_MODULE=backend.settings.local python manage.py collectstatic --noinput \
    && useradd --create-home app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
