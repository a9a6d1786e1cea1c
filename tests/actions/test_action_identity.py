"""Who the actions act for: only the metadata the channel built, on the latest message."""

from __future__ import annotations

from tracker_factory import said, tracker, user_event

from actions.identity import Caller, caller, session_caller


def test_no_metadata_is_anonymous() -> None:
    who = caller(said("hej"))
    assert who == Caller(channel="rest") and not who.is_citizen and not who.is_staff


def test_verified_citizen_and_staff() -> None:
    assert caller(said("x", channel="kk", subject="u-1", role="citizen")).is_citizen
    staff = caller(said("x", channel="kk", subject="u-2", role="staff"))
    assert staff.is_staff and not staff.is_citizen


def test_unknown_role_or_missing_subject_is_anonymous() -> None:
    for metadata in (
        {"kk": {"subject": "u-1", "role": "superuser"}},
        {"kk": {"subject": "", "role": "citizen"}},
        {"kk": "u-1"},
        {"subject": "u-1", "role": "citizen"},
    ):  # not under "kk": not from a channel
        assert caller(said("x", metadata=metadata)).subject is None


def test_only_the_latest_message_counts() -> None:
    events = [user_event("a", channel="kk", subject="u-1", role="staff"), user_event("b")]
    assert caller(tracker(events)).subject is None


def test_slots_never_give_identity() -> None:
    who = caller(said("x", slots={"subject": "u-1", "role": "admin", "kk": {"subject": "u-1"}}))
    assert who.subject is None


def test_sms_channel_without_a_known_number() -> None:
    who = caller(
        said("x", channel="sms", metadata={"kk": {"channel": "sms", "subject": None, "role": None}})
    )
    assert who.over_sms and who.subject is None


def test_session_start_reads_the_session_metadata_slot() -> None:
    slots = {
        "session_started_metadata": {"kk": {"channel": "kk", "subject": "u-9", "role": "jurist"}}
    }
    assert session_caller(tracker([], slots)).is_staff
    assert session_caller(tracker([])).subject is None
