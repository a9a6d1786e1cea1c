# syntax=docker/dockerfile:1
# The Rasa server (bot/, config.yml, nlu_data/) with its trained model; docs/deployment.md.
# Build from the repository root, with the source documents (../shared/seeds) as a named build
# context: training saves their passages in the model (config.yml, answer tier 2).
#   docker build -f deploy/docker/rasa.Dockerfile --build-context seeds=../shared/seeds \
#     -t registry.example.dk/kk-assistenten/kk-rasa:0.1.0 .
# Checked by tests/deploy (./kk test deploy); no image is built there.

FROM python:3.10.18-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
# Exactly the versions of .venvs/bot, each checked against the lock's sha256 hashes.
COPY requirements/bot.lock.txt /tmp/bot.lock.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/bot.lock.txt
WORKDIR /app
COPY pyproject.toml README.md config.yml ./
COPY kkshared/ kkshared/
COPY bot/ bot/
COPY nlu_data/ nlu_data/
# The citizen answer catalogue the classifier is trained with (kkshared/catalogue_yaml.py).
COPY knowledge/ knowledge/
COPY deploy/rasa/endpoints.yml deploy/rasa/endpoints.yml
COPY deploy/docker/rasa_entrypoint.py deploy/docker/rasa_entrypoint.py
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation . \
    && rm -rf build ./*.egg-info
# The model, trained at build time with the same command as ./kk run (tools/run_system.py,
# train_model): the image's tag names code and model together. The training reads the e5 vectors
# shipped in kkshared/data/e5_seed.npz; neither they nor the cache it wrote (var/) are needed
# to serve.
COPY --from=seeds . /opt/kk/seeds
RUN KK_SEEDS_DIR=/opt/kk/seeds PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false \
    /opt/venv/bin/rasa train --config config.yml --domain bot/domain --data nlu_data bot/data \
      --out models --fixed-model-name kk \
    && test -f models/kk.tar.gz \
    && rm -rf .rasa var kkshared/data/e5_seed.npz \
    && /opt/venv/bin/python -m compileall -q kkshared bot deploy/docker

FROM python:3.10.18-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    OMP_NUM_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    KK_RASA_PORT=5005
RUN groupadd --system --gid 10001 kk \
    && useradd --system --uid 10001 --gid kk --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin kk
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(b'Hello from Rasa' not in urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4).read())"]
# `rasa run` with the model, deploy/rasa/endpoints.yml and --cors from KK_CORS_ORIGINS.
ENTRYPOINT ["python", "/app/deploy/docker/rasa_entrypoint.py"]
