"""The verified identity that travels from the channels to the actions (kkshared.identity)."""

from __future__ import annotations

import pytest

from kkshared.identity import ChannelIdentity


def test_round_trip() -> None:
    for identity in (
        ChannelIdentity("kk", "u-1", "citizen"),
        ChannelIdentity("kk", "u-2", "staff"),
        ChannelIdentity("sms", "u-3", "citizen"),
    ):
        metadata = identity.to_metadata()
        assert metadata == {
            "kk": {"channel": identity.channel, "subject": identity.subject, "role": identity.role}
        }
        assert ChannelIdentity.from_metadata(metadata) == identity


def test_roles() -> None:
    citizen = ChannelIdentity("kk", "u-1", "citizen")
    assert citizen.is_citizen and not citizen.is_staff and not citizen.is_anonymous
    for role in ("staff", "jurist", "admin"):
        staff = ChannelIdentity("kk", "u-2", role)
        assert staff.is_staff and not staff.is_citizen
    assert ChannelIdentity("sms").over_sms and ChannelIdentity("sms").is_anonymous


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        "kk",
        [],
        {},
        {"kk": None},
        {"kk": "u-1"},
        {"kk": ["u-1"]},
        {"subject": "u-1", "role": "citizen"},  # not under "kk": not from a channel
        {"kk": {"subject": "u-1", "role": "superuser"}},
        {"kk": {"subject": "u-1", "role": None}},
        {"kk": {"subject": "u-1", "role": ["citizen"]}},
        {"kk": {"subject": "", "role": "citizen"}},
        {"kk": {"subject": 7, "role": "citizen"}},
        {"kk": {"subject": None, "role": "citizen"}},
    ],
)
def test_anything_malformed_is_anonymous(metadata) -> None:
    identity = ChannelIdentity.from_metadata(metadata, "rest")
    assert identity == ChannelIdentity(channel="rest")
    assert identity.is_anonymous and not identity.is_citizen and not identity.is_staff


def test_the_channel_comes_from_the_metadata_else_from_rasa() -> None:
    assert ChannelIdentity.from_metadata({"kk": {"channel": "sms"}}, "rest").channel == "sms"
    assert ChannelIdentity.from_metadata({"kk": {"channel": 5}}, "rest").channel == "rest"
    assert ChannelIdentity.from_metadata({"kk": {}}, None).channel is None
