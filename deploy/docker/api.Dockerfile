# syntax=docker/dockerfile:1
# The case service (FastAPI, api/) as an image; docs/deployment.md. Build from the repository root,
# with the source documents (../shared/seeds, quoted by the legal mode) as a named build context:
#   docker build -f deploy/docker/api.Dockerfile --build-context seeds=../shared/seeds \
#     -t registry.example.dk/kk-assistenten/kk-api:0.1.0 .
# Checked by tests/deploy (./kk test deploy); no image is built there.

FROM python:3.11.13-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
# Exactly the versions of .venvs/api, each checked against the lock's sha256 hashes.
COPY requirements/api.lock.txt /tmp/api.lock.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/api.lock.txt
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kkshared/ kkshared/
COPY api/ api/
# Data the case service reads beside its packages: the answer catalogue's reviewed YAML
# (knowledge/, nlu_data/faq), the legal notes, the chat widget.
COPY knowledge/ knowledge/
COPY nlu_data/ nlu_data/
COPY web/widget/ web/widget/
# The project without dependencies (they all come from the lock), built with the lock's setuptools.
# The code finds those directories beside its packages, so it runs from /app (PYTHONPATH).
# kkshared/data/e5_seed.npz: e5 vectors only a training reads (the Rasa image's).
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation . \
    && rm -rf build ./*.egg-info kkshared/data/e5_seed.npz \
    && /opt/venv/bin/python -m compileall -q kkshared api

FROM python:3.11.13-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    KK_SEEDS_DIR=/opt/kk/seeds \
    KK_API_PORT=8000 \
    WEB_CONCURRENCY=2
RUN groupadd --system --gid 10001 kk \
    && useradd --system --uid 10001 --gid kk --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin kk
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=seeds . /opt/kk/seeds
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
# WEB_CONCURRENCY worker processes (uvicorn reads it). The schema must be migrated first
# (`python -m api.cli migrate`: the compose service / Kubernetes Job kk-migrate).
CMD ["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--no-access-log"]
