# syntax=docker/dockerfile:1
# PAT front door: the Telegram bot.
# Build: docker build -t pat-bot .
# Run:   docker run -d --name pat-bot --env-file .env -v pat-data:/data pat-bot
#        or: docker compose up -d   (compose.yaml, beside this file)
# Secrets come from the environment (or --env-file); nothing secret is baked into the image.
#
# The base image is pinned by digest, so that two builds a month apart start from the same
# bytes. Tag: python:3.11-slim. To move to a newer one, take the "Digest:" line of
#   docker buildx imagetools inspect python:3.11-slim
# and replace the digest below (or pass --build-arg PYTHON_IMAGE=...).
ARG PYTHON_IMAGE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

# 1. The dependencies, from the lock (exact versions, checked hashes), in a virtual environment
#    of their own. This stage only reruns when requirements.lock or the language list changes.
FROM ${PYTHON_IMAGE} AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.lock /tmp/requirements.lock
# (The base image's pip installs into it: no second pip in the image.)
RUN python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --require-hashes --no-deps \
        -r /tmp/requirements.lock
# Babel carries the data of ~1,100 locales (35 MB); the bot speaks the languages listed in
# flows/locales.py. Keeping only those (and "root") holds the image under 250 MB (issue #17).
COPY flows/locales.py /tmp/locales.py
RUN /opt/venv/bin/python -c "import babel, pathlib, runpy; \
keep = {'root', *runpy.run_path('/tmp/locales.py')['LOCALES']}; \
data = pathlib.Path(babel.__file__).parent / 'locale-data'; \
[p.unlink() for p in data.glob('*.dat') if p.stem.split('_')[0] not in keep]"

# 2. The project as a wheel, built with the locked build backend.
FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements-build.lock /tmp/requirements-build.lock
RUN pip install --require-hashes --no-deps -r /tmp/requirements-build.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY storage ./storage
COPY locales ./locales
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

# 3. The image that runs: the dependencies' layer, then the wheel (no sources, no build/ or
#    egg-info). A change to the sources rebuilds stage 2 and the last layer only.
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    PAT_DATA_DIR=/data
RUN useradd --system --uid 10001 --create-home --home-dir /home/pat pat \
    && mkdir -p /data \
    && chown pat /data \
    && chmod 700 /data
COPY --from=dependencies /opt/venv /opt/venv
RUN --mount=type=bind,from=wheel,source=/wheels,target=/wheels \
    pip --python /opt/venv/bin/python install --no-deps /wheels/*.whl

USER pat
WORKDIR /home/pat
VOLUME ["/data"]
# Only used in webhook mode (PAT_TELEGRAM_WEBHOOK_URL set, PAT_TELEGRAM_WEBHOOK_LISTEN=0.0.0.0).
EXPOSE 8443
# The web channel (PAT_WEB_PORT=8080, PAT_WEB_HOST=0.0.0.0), behind the HTTPS reverse proxy.
EXPOSE 8080
# The bot stops cleanly on SIGTERM (Docker's default): it finishes the message in hand.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 CMD ["pat-bot", "health"]
CMD ["pat-bot", "run"]
