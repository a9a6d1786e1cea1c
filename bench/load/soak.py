"""Soak: a steady message rate for minutes, counting every error (issue 15).

Start the system (`./kk run`), then:

    .venvs/bot/bin/python -m bench.load.soak [--rate 20] [--seconds 300]

Conversations of 6 turns through the anonymous REST channel, each with a fresh sender id in
the formats chat widgets use (``str(uuid4())`` and ``uuid4().hex``), messages drawn from plain
citizen questions and small talk. Counted as errors: any non-200 answer, a timeout, an empty
reply, and a reply that is really the technical-error text. Bounded in count and time: it
sends ``rate * seconds`` messages at most and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections import Counter

import aiohttp

MESSAGES = [
    "hej",
    "hvornår får jeg min kontanthjælp",
    "hvad er min plan",
    "kan jeg holde ferie på kontanthjælp",
    "hvad sker der hvis jeg ikke møder op til samtalen",
    "hvordan klager jeg over en afgørelse",
    "hvad er åbningstiderne",
    "tak for hjælpen",
    "jeg vil gerne tale med en medarbejder",
    "hvad er et fleksjob",
]
TECHNICAL_ERROR = "teknisk fejl"


async def conversation(session, url: str, counts: Counter, turns: int) -> None:
    sender = str(uuid.uuid4()) if random.random() < 0.5 else uuid.uuid4().hex
    for _ in range(turns):
        body = {"sender": sender, "message": random.choice(MESSAGES)}
        try:
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(10)) as r:
                reply = await r.json(content_type=None) if r.status == 200 else None
                if r.status != 200:
                    counts[f"http {r.status}"] += 1
                elif not reply:
                    counts["empty reply"] += 1
                elif any(TECHNICAL_ERROR in (m.get("text") or "") for m in reply):
                    counts["technical-error reply"] += 1
                else:
                    counts["ok"] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            counts[type(error).__name__] += 1


async def soak(url: str, rate: float, seconds: float, turns: int = 6) -> Counter:
    counts: Counter = Counter()
    tasks = []
    async with aiohttp.ClientSession() as session:
        start = time.monotonic()
        for n in range(int(rate * seconds / turns)):
            # One conversation starts every turns/rate seconds: about `rate` messages a second.
            delay = start + n * turns / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(conversation(session, url, counts, turns)))
        await asyncio.gather(*tasks)
    counts["seconds"] = round(time.monotonic() - start)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=300.0)
    args = parser.parse_args()
    url = f"{args.rasa_url}/webhooks/rest/webhook"
    counts = asyncio.run(soak(url, args.rate, args.seconds))
    errors = sum(v for k, v in counts.items() if k not in ("ok", "seconds"))
    print(dict(counts))
    print(f"{counts['ok'] + errors} messages in {counts['seconds']} s, {errors} errors")


if __name__ == "__main__":
    main()
