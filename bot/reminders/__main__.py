"""``python -m bot.reminders``: the meeting-reminder job as its own process (docs/reminders.md).

    python -m bot.reminders                 run every KK_REMINDER_POLL_SECONDS (60) until stopped
    python -m bot.reminders --once          one run, then exit (a summary on stdout)
    python -m bot.reminders --once --now 2026-03-06T16:00:00+01:00
                                            one run as if it were that moment (tests, trials)

Several copies may run at once (one per Rasa replica, or a restarted one next to a hanging one):
the claims in the case service's reminder log let exactly one send each reminder. Needs the SMS
settings (KK_SMS_HMAC_KEY, the SMS database, migrated), KK_API_URL + KK_SERVICE_TOKEN, and
KK_RASA_URL + KK_RASA_API_TOKEN (the Rasa server's API token). Logs never hold phone numbers or
message texts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from datetime import datetime

from bot.reminders.job import ReminderJob, utc_now
from bot.reminders.rasa_api import RasaApi
from bot.settings import load_settings
from bot.sms.store import SmsStore
from kkshared.case_service import CaseServiceClient, CaseServiceError

logger = logging.getLogger("bot.reminders")


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a time zone, e.g. 2026-03-06T16:00:00+01:00")
    return moment


async def _main(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.reminders.rasa_api_token:
        print("KK_RASA_API_TOKEN is not set: the reminder job cannot reach Rasa", file=sys.stderr)
        return 2
    store = SmsStore(settings.sms.db_url, migrate=False)
    case_service = CaseServiceClient(
        settings.reminders.api_url,
        settings.reminders.service_token,
        timeout=settings.reminders.case_service_timeout,
    )
    rasa = RasaApi(settings.reminders.rasa_url, settings.reminders.rasa_api_token)
    fixed = args.now
    job = ReminderJob(
        settings, store, case_service, rasa, clock=(lambda: fixed) if fixed else utc_now
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        while True:
            try:
                summary = await job.run_once()
            except CaseServiceError as error:
                logger.warning("reminders: case service unavailable (%s); next run later", error)
                if args.once:
                    return 1
            else:
                if args.once:
                    print(json.dumps(vars(summary), sort_keys=True))
                    return 0
                if summary.queued:
                    logger.info("reminders: %d queued", len(summary.queued))
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.reminders.poll_seconds)
                return 0
            except asyncio.TimeoutError:
                pass
    finally:
        await case_service.close()
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.reminders", description=__doc__)
    parser.add_argument("--once", action="store_true", help="one run, then exit")
    parser.add_argument("--now", type=_moment, help="the job's clock (ISO datetime with offset)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s"
    )
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
