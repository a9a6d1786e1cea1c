"""``python -m bot.sms.migrate [--check]``: bring the SMS channel's tables to the newest revision.

The database is ``KK_SMS_DB_URL``, else the tracker store's (``KK_TRACKER_DB_URL``), as the
channel uses it. ``./kk run`` runs this before the Rasa server starts; ``--check`` only says
whether the tables are current (exit code 1 when not). See bot/sms/schema.py.
"""

from __future__ import annotations

import argparse
import sys

from bot.settings import load_settings
from bot.sms import schema
from bot.sms.store import make_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sms.migrate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, change nothing")
    args = parser.parse_args(argv)
    engine = make_engine(load_settings().sms.db_url)
    try:
        if args.check:
            try:
                schema.check(engine)
            except schema.SchemaOutdated as error:
                print(error, file=sys.stderr)
                return 1
            print(f"SMS tables at revision {schema.current(engine)} (current)")
            return 0
        before, after = schema.upgrade(engine)
        if before == after:
            print(f"SMS tables at revision {after} (current)")
        else:
            print(f"SMS tables migrated from revision {before or 'none'} to {after}")
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
