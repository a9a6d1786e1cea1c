#!/bin/sh
# Runs once, when the postgres volume of deploy/compose.yaml is new (the image's
# /docker-entrypoint-initdb.d/): the Rasa side's databases, each with a role of its own, so the
# bot side never holds the case service's credentials:
#   kk_tracker (role kk_bot): Rasa's tracker store and the SMS inbox/outbox
#   kk_events (role kk_events): Rasa's event broker writes it, the case service's analytics
#   read and prune it (both get this role's URL)
# No role can connect to another's database. The passwords come from secrets/postgres.env.
set -eu
: "${KK_TRACKER_DB_PASSWORD:?set in deploy/secrets/postgres.env (deploy/make_secrets.py)}"
: "${KK_EVENTS_DB_PASSWORD:?set in deploy/secrets/postgres.env (deploy/make_secrets.py)}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v tracker_pw="$KK_TRACKER_DB_PASSWORD" -v events_pw="$KK_EVENTS_DB_PASSWORD" \
    -v case_db="$POSTGRES_DB" <<'SQL'
CREATE ROLE kk_bot LOGIN PASSWORD :'tracker_pw';
CREATE DATABASE kk_tracker OWNER kk_bot;
CREATE ROLE kk_events LOGIN PASSWORD :'events_pw';
CREATE DATABASE kk_events OWNER kk_events;
REVOKE ALL ON DATABASE kk_tracker FROM PUBLIC;
REVOKE ALL ON DATABASE kk_events FROM PUBLIC;
REVOKE ALL ON DATABASE :"case_db" FROM PUBLIC;
SQL
