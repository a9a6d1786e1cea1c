"""Write the credentials of deploy/compose.yaml: deploy/secrets/*.env, random values, mode 600.

    python3 deploy/make_secrets.py [--dir DIR] [--force]

One env file per kind of service, each with only what that service needs (docs/deployment.md):

- case-service.env (api, migrate, retention-api): KK_DATABASE_URL, KK_JWT_SECRET,
  KK_SERVICE_TOKEN, KK_OIDC_SUBJECT_KEY, KK_EVENTS_DB_URL, KK_REDIS_URL
- bot.env (rasa, retention-bot): KK_JWT_SECRET, KK_SERVICE_TOKEN, KK_ACTIONS_TOKEN,
  KK_OIDC_SUBJECT_KEY, KK_TRACKER_DB_URL, KK_EVENTS_DB_URL, KK_REDIS_URL, KK_SMS_WEBHOOK_SECRET,
  KK_SMS_HMAC_KEY, KK_SMS_GATEWAY_TOKEN
- actions.env (actions): KK_SERVICE_TOKEN, KK_ACTIONS_TOKEN
- postgres.env (postgres): POSTGRES_PASSWORD, KK_TRACKER_DB_PASSWORD, KK_EVENTS_DB_PASSWORD
- redis.env (redis): KK_REDIS_PASSWORD

Existing files are kept (the database volume holds the passwords they name) unless ``--force``.
``KK_SMS_GATEWAY_TOKEN`` is the GatewayAPI token: put the real one into bot.env.
Standard library only.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent / "secrets"


def token() -> str:
    """48 random bytes, URL-safe (usable inside database and Redis URLs as they are)."""
    return secrets.token_urlsafe(48)


def env_files(values: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """{file name: {variable: value}}; ``values`` fixes chosen ones (tests), the rest is random."""
    v = {
        name: token()
        for name in (
            "case_db",
            "tracker_db",
            "events_db",
            "oidc_subject",
            "redis",
            "jwt",
            "service",
            "actions",
            "sms_webhook",
            "sms_hmac",
            "sms_gateway",
        )
    }
    v.update(values or {})
    events_url = f"postgresql://kk_events:{v['events_db']}@postgres:5432/kk_events"
    redis_url = f"redis://:{v['redis']}@redis:6379/0"
    return {
        "case-service.env": {
            "KK_DATABASE_URL": f"postgresql+psycopg://kk:{v['case_db']}@postgres:5432/kk",
            "KK_JWT_SECRET": v["jwt"],
            "KK_SERVICE_TOKEN": v["service"],
            "KK_OIDC_SUBJECT_KEY": v["oidc_subject"],
            "KK_EVENTS_DB_URL": events_url,
            "KK_REDIS_URL": redis_url,
        },
        "bot.env": {
            "KK_JWT_SECRET": v["jwt"],
            "KK_SERVICE_TOKEN": v["service"],
            "KK_ACTIONS_TOKEN": v["actions"],
            "KK_OIDC_SUBJECT_KEY": v["oidc_subject"],
            "KK_TRACKER_DB_URL": f"postgresql://kk_bot:{v['tracker_db']}@postgres:5432/kk_tracker",
            "KK_EVENTS_DB_URL": events_url,
            "KK_REDIS_URL": redis_url,
            "KK_SMS_WEBHOOK_SECRET": v["sms_webhook"],
            "KK_SMS_HMAC_KEY": v["sms_hmac"],
            "KK_SMS_GATEWAY_TOKEN": v["sms_gateway"],
        },
        "actions.env": {
            "KK_SERVICE_TOKEN": v["service"],
            "KK_ACTIONS_TOKEN": v["actions"],
        },
        "postgres.env": {
            "POSTGRES_PASSWORD": v["case_db"],
            "KK_TRACKER_DB_PASSWORD": v["tracker_db"],
            "KK_EVENTS_DB_PASSWORD": v["events_db"],
        },
        "redis.env": {
            "KK_REDIS_PASSWORD": v["redis"],
        },
    }


def write(directory: Path, force: bool = False) -> list[Path]:
    """Write the files that are missing (all with ``force``); returns those written."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = env_files()
    existing = [name for name in files if (directory / name).exists()]
    if existing and not force:
        if len(existing) < len(files):
            raise SystemExit(
                f"{directory} holds only {', '.join(existing)}: the values must fit together; "
                "move the files away (the database volume keeps the old passwords) or --force"
            )
        return []
    written = []
    for name, variables in files.items():
        path = directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# Made by deploy/make_secrets.py; keep private, never commit.\n")
            fh.writelines(f"{key}={value}\n" for key, value in variables.items())
        os.chmod(path, 0o600)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    written = write(args.dir, args.force)
    if not written:
        print(f"{args.dir}: all files exist; nothing written (--force replaces them)")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
