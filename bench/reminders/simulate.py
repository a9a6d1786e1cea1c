"""A month of meetings with and without SMS reminders: expected no-shows and SMS segments per
avoided no-show (issue 19; report in docs/reminders.md).

    .venvs/bot/bin/python -m bench.reminders.simulate [--meetings-per-day 300] [--runs 2000]

The model (every number is a parameter; the defaults and where they come from):

- ``--days`` 21 working days, ``--meetings-per-day`` 300 planned meetings (an assumption about
  the job centre's volume; the result per meeting does not depend on it);
- ``--reachable`` 0.60: share of meetings whose citizen has a registered number and opted in
  (an assumption: nobody is opted in today; reminders are opt-in);
- ``--no-show`` baseline no-show probability without a reminder. No Danish job-centre figure was
  available, so two scenarios are run: 0.15 (assumption) and 0.398 (the control group of the
  randomised trial below);
- the reminder's effect: a risk ratio on no-show for reminded meetings, 0.77 (95 % CI 0.71-0.84)
  from a meta-analysis of 12 studies of SMS reminders for healthcare appointments (Tang B.,
  "Effect of SMS reminders on Attendance Rates for Healthcare Appointments: A Systematic Review &
  Meta-Analysis", J Clin Case Stud Rev Rep, ISSN 2634-680X); the trial of Youssef A. (East
  Mediterr Health J 2014;20(5), 502 patients, internal medicine outpatients in Saudi Arabia:
  26.3 % vs 39.8 % no-show, risk ratio 0.66) is shown as the optimistic case;
- replies (an assumption, no source: the trials did not offer answers): 45 % "1", 4 % "2"
  (absence form), 4 % "3" (new time), the rest no answer. Each answered reminder costs the
  bot's answer SMS; "2" and "3" cost a form conversation of 3 more SMS from the bot;
- segments: the reminder is rendered with the channel's own renderer (GSM 03.38 / UCS-2) from
  the response in bot/domain/reminders.yml with a typical date and place, after the AI notice
  (the reminder starts a new session); the answers are counted the same way.

Limits: the effect sizes are from healthcare appointments, not job-centre meetings (where a
missed meeting can cost a benefit sanction, so the baseline and the effect may differ); the
trials compared reminders with nothing, while the job centre already sends letters in Digital
Post; opted-in citizens are probably more reliable than the rest (self-selection), which makes
the real effect smaller. The simulation only propagates these numbers; it measures nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.sms.rendering import measure, render

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = {
    "when": "tirsdag den 24. november 2026 kl. 10.00",
    "where": "på Jobcenter København, Lærkevej (Lærkevej, København)",
}
RISK_RATIOS = {"meta-analysis 0.77": 0.77, "CI 0.71": 0.71, "CI 0.84": 0.84, "trial 0.66": 0.66}
REPLY_SHARES = {"1": 0.45, "2": 0.04, "3": 0.04}
FORM_SMS = 3  # the bot's further SMS in the absence / reschedule form after "2" or "3"


def _response(name: str) -> str:
    domain = yaml.safe_load((REPO / "bot" / "domain" / "reminders.yml").read_text())
    return str(domain["responses"][name][0]["text"])


def segments() -> dict[str, int]:
    """Segments of the reminder and of the bot's answers, as the SMS channel sends them."""
    forms = yaml.safe_load((REPO / "bot" / "domain" / "forms.yml").read_text())["responses"]
    base = yaml.safe_load((REPO / "bot" / "domain" / "base.yml").read_text())["responses"]
    # A reminder a day after the last contact starts a new session: the AI notice comes first.
    notice = str(base["utter_ai_notice"][0]["text"])
    reminder = _response("utter_meeting_reminder").format(**EXAMPLE)
    return {
        "reminder": render([{"text": notice}, {"text": reminder}]).segments,
        "answer_1": measure(_response("utter_reminder_confirmed")).segments,
        "form_sms": max(
            measure(str(forms[name][0]["text"])).segments
            for name in ("utter_absence_sent", "utter_reschedule_sent")
        ),
    }


@dataclass
class Month:
    meetings: int
    no_shows_without: int
    no_shows_with: int
    segments: int

    @property
    def avoided(self) -> int:
        return self.no_shows_without - self.no_shows_with


def simulate_month(
    rng: random.Random, meetings: int, reachable: float, no_show: float, rr: float, seg: dict
) -> Month:
    without = with_ = total_segments = 0
    for _ in range(meetings):
        # Common random numbers: the same citizen, with and without the reminder.
        u = rng.random()
        missed_without = u < no_show
        reminded = rng.random() < reachable
        missed_with = u < no_show * (rr if reminded else 1.0)
        without += missed_without
        with_ += missed_with
        if reminded:
            total_segments += seg["reminder"]
            r = rng.random()
            if r < REPLY_SHARES["1"]:
                total_segments += seg["answer_1"]
            elif r < REPLY_SHARES["1"] + REPLY_SHARES["2"] + REPLY_SHARES["3"]:
                total_segments += FORM_SMS * seg["form_sms"]
    return Month(meetings, without, with_, total_segments)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders.simulate")
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--meetings-per-day", type=int, default=300)
    parser.add_argument("--reachable", type=float, default=0.60)
    parser.add_argument("--no-show", type=float, nargs="+", default=[0.15, 0.398])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args(argv)
    seg = segments()
    meetings = args.days * args.meetings_per_day
    print(f"segments: {seg}; {meetings} meetings a month, {args.reachable:.0%} reachable")
    print(
        "| baseline no-show | risk ratio | no-shows without | with reminders "
        "| avoided (90 % range) | SMS segments | segments per avoided no-show |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for no_show in args.no_show:
        for label, rr in RISK_RATIOS.items():
            rng = random.Random(args.seed)
            months = [
                simulate_month(rng, meetings, args.reachable, no_show, rr, seg)
                for _ in range(args.runs)
            ]
            avoided = sorted(m.avoided for m in months)
            low, high = avoided[len(avoided) // 20], avoided[-len(avoided) // 20 - 1]
            mean = statistics.fmean
            per = mean(m.segments for m in months) / max(1e-9, mean(m.avoided for m in months))
            print(
                f"| {no_show:.1%} | {label} | {mean(m.no_shows_without for m in months):.0f} "
                f"| {mean(m.no_shows_with for m in months):.0f} "
                f"| {mean(avoided):.0f} ({low}-{high}) "
                f"| {mean(m.segments for m in months):.0f} | {per:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
