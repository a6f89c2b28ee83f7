# PAT front door: the Telegram bot. Build: docker build -t pat-bot .
# Run:   docker run -d --name pat-bot -e PAT_TELEGRAM_TOKEN=... -v pat-data:/data pat-bot
# Secrets come from the environment (or --env-file); nothing secret is baked into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PAT_DATA_DIR=/data \
    PAT_LOCALES_DIR=/app/locales

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY storage ./storage
COPY locales ./locales
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app pat \
    && mkdir -p /data \
    && chown pat /data

USER pat
VOLUME ["/data"]
# Only used in webhook mode (PAT_TELEGRAM_WEBHOOK_URL set, PAT_TELEGRAM_WEBHOOK_LISTEN=0.0.0.0).
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 CMD ["pat-bot", "health"]
CMD ["pat-bot", "run"]
