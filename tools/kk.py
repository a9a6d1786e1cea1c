"""./kk — the project's two commands, and the refresh of the lock files.

./kk run            set up what is missing and start the whole system (SQLite)
./kk run --production
                    the same with PostgreSQL, Redis, 2 Rasa and 2 action-server replicas
                    behind nginx, 2 case-service workers (docs/production.md)
./kk test [SUITE]   run the test suites (all by default): tools lint shared api legal
                    actions bot channels knowledge validate e2e web
./kk lock [--upgrade]
                    rewrite requirements/{api,bot}.lock.txt from pyproject.toml (the
                    versions the venvs are installed from); --upgrade takes the newest
"""

from __future__ import annotations

import sys

USAGE = __doc__.strip()


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        from tools import run_system

        if rest not in ([], ["--production"]):
            print(
                f"./kk run takes only --production (ports come from KK_API_PORT, KK_RASA_PORT, "
                f"KK_ACTIONS_PORT)\n\n{USAGE}",
                file=sys.stderr,
            )
            return 2
        return run_system.main(rest)
    if command == "test":
        from tools import run_tests

        return run_tests.main(rest)
    if command == "lock":
        from tools import venvs

        return venvs.lock_main(rest)
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
