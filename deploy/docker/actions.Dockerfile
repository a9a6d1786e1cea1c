# syntax=docker/dockerfile:1
# The action server (actions/, rasa-sdk); docs/deployment.md. Build from the repository root:
#   docker build -f deploy/docker/actions.Dockerfile \
#     -t registry.example.dk/kk-assistenten/kk-actions:0.1.0 .
# Checked by tests/deploy (./kk test deploy); no image is built there.

FROM python:3.10.18-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
# The bot lock (.venvs/bot runs the action server too), checked against its sha256 hashes.
COPY requirements/bot.lock.txt /tmp/bot.lock.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/bot.lock.txt
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kkshared/ kkshared/
COPY actions/ actions/
# kkshared/data/e5_seed.npz: e5 vectors only a training reads (the Rasa image's).
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation . \
    && rm -rf build ./*.egg-info kkshared/data/e5_seed.npz \
    && /opt/venv/bin/python -m compileall -q kkshared actions

FROM python:3.10.18-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    KK_ACTIONS_PORT=5055 \
    KK_ACTIONS_HOST=0.0.0.0
RUN groupadd --system --gid 10001 kk \
    && useradd --system --uid 10001 --gid kk --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin kk
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 5055
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4).status != 200)"]
# KK_ACTIONS_HOST=0.0.0.0: every interface of the container (actions/settings.py; the default
# is 127.0.0.1); the network policy lets only Rasa in, and X-KK-Actions-Token is required.
CMD ["python", "-m", "actions.server"]
