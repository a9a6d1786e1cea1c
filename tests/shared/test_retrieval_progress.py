"""Progress lines of long work (kkshared.retrieval.progress): counts with the time left, and a
heartbeat while nothing else is said, in the format tools/steps.py shows during `./kk run`."""

from __future__ import annotations

import threading

import pytest

from kkshared.retrieval import progress
from tools.steps import _PROGRESS_LINE


def test_counts_are_shown_with_rate_and_time_left(capsys) -> None:
    counter = progress.Progress(progress.PROGRESS_MIN_TEXTS)
    counter.advance(progress.PROGRESS_MIN_TEXTS)  # the last count is always shown
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"e5: {progress.PROGRESS_MIN_TEXTS}/{progress.PROGRESS_MIN_TEXTS} ")
    assert "s left" in line and _PROGRESS_LINE.match(line)


def test_a_few_texts_say_nothing(capsys) -> None:
    counter = progress.Progress(3)
    counter.advance(3)
    assert capsys.readouterr().err == ""


def test_the_heartbeat_speaks_while_the_work_is_silent(capsys, monkeypatch) -> None:
    spoken = threading.Event()
    say = progress.say
    phase_lines: list[str] = []

    def said(line: str) -> None:
        say(line)
        if "waiting for nothing" in line:
            phase_lines.append(line)
        if len(phase_lines) >= 2:  # set_phase's own line, then the heartbeat's
            spoken.set()

    monkeypatch.setattr(progress, "say", said)
    with progress.Heartbeat("test", interval=0.01) as heartbeat:
        heartbeat.set_phase("waiting for nothing")
        assert spoken.wait(timeout=60)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("progress: test: done (")
    assert all(_PROGRESS_LINE.match(line) for line in lines)


def test_the_heartbeat_says_when_the_work_failed(capsys) -> None:
    with pytest.raises(ValueError), progress.Heartbeat("test"):
        raise ValueError("broken")
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("progress: test: failed (")
