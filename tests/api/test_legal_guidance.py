"""The live advisor: built off the request path and swapped atomically.

It is never replaced by an older build.
"""

from __future__ import annotations

import threading
import time

from legal_helpers import NOTES_DIR, SMALL_SET

from api.legal.live_advisor import LegalGuidance, build_snapshot
from kkshared.knowledge import load_legal_notes


def small_notes():
    return [n for n in load_legal_notes(NOTES_DIR) if n.id in SMALL_SET]


def test_a_build_is_swapped_in_and_an_older_build_never_replaces_a_newer_one():
    notes = small_notes()
    guidance = LegalGuidance()
    assert not guidance.ready
    older, newer = guidance.next_seq(), guidance.next_seq()
    assert guidance.rebuild(notes, newer) is not None
    assert guidance.snapshot.seq == newer and len(guidance.snapshot.notes) == len(notes)
    assert guidance.rebuild(notes[:2], older) is None  # read before the newer one: skipped
    assert len(guidance.snapshot.notes) == len(notes)


def test_a_failed_build_keeps_the_old_advisor(monkeypatch):
    guidance = LegalGuidance()
    guidance.rebuild(small_notes(), guidance.next_seq())
    before = guidance.snapshot

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("api.legal.live_advisor.build_snapshot", broken)
    assert guidance.rebuild(small_notes(), guidance.next_seq()) is None
    assert guidance.snapshot is before and guidance.last_error == "RuntimeError"


def test_questions_are_answered_from_the_old_advisor_while_a_new_one_builds(monkeypatch):
    notes = small_notes()
    guidance = LegalGuidance()
    guidance.install(build_snapshot(notes[:-1]))
    old = guidance.snapshot
    release = threading.Event()
    real_build = build_snapshot

    def slow_build(*args, **kwargs):
        release.wait(10)
        return real_build(*args, **kwargs)

    monkeypatch.setattr("api.legal.live_advisor.build_snapshot", slow_build)
    thread = guidance.rebuild_in_background(notes)
    time.sleep(0.05)
    assert guidance.snapshot is old  # still answering, from the old notes
    assert guidance.snapshot.advise("Må jeg gå ind på en borgers Facebook?").note_id
    release.set()
    thread.join(30)
    assert guidance.snapshot is not old and set(guidance.snapshot.notes) == {n.id for n in notes}


def test_concurrent_rebuilds_end_with_the_newest_notes():
    notes = small_notes()
    guidance = LegalGuidance()
    threads = [guidance.rebuild_in_background(notes[: i + 2]) for i in range(4)]
    for thread in threads:
        thread.join(60)
    assert set(guidance.snapshot.notes) == {n.id for n in notes[:5]}  # the last one requested
