"""Service-only endpoints used by the SMS channel."""

from urllib.parse import quote

import pytest
from api_helpers import service_headers

from kkshared.phone import normalize_msisdn


@pytest.mark.parametrize(
    "msisdn", ["+4500000101", "004500000101", "00000101", "4500000101", "+45 00 00 01 01"]
)
def test_citizen_by_phone(client, demo, msisdn):
    r = client.get(f"/service/citizens/by-phone/{msisdn}", headers=service_headers())
    assert r.status_code == 200
    assert r.json() == {
        "citizen_id": demo.citizen_id("demo-borger"),
        "user_id": demo.user_id("demo-borger"),
        "sms_opt_out": False,
        "preferred_channel": "sms",
    }


@pytest.mark.parametrize("gateway_msisdn", [4500000101, "4500000101", "+45 00 00 01 01"])
def test_the_two_ends_agree(client, demo, gateway_msisdn):
    """The SMS channel normalises the gateway's number (kkshared.phone) and asks with the result;
    the case service normalises the path with the same function and finds the stored citizen."""
    sent = normalize_msisdn(gateway_msisdn)  # what bot/sms/signature.py makes of the webhook
    assert sent == "+4500000101"
    r = client.get(f"/service/citizens/by-phone/{quote(sent)}", headers=service_headers())
    assert r.status_code == 200 and r.json()["citizen_id"] == demo.citizen_id("demo-borger")


def test_unknown_phone_is_404_and_bad_phone_422(client):
    r = client.get("/service/citizens/by-phone/+4599999999", headers=service_headers())
    assert r.status_code == 404 and r.json() == {"detail": "citizen not found"}
    assert (
        client.get("/service/citizens/by-phone/abc", headers=service_headers()).status_code == 422
    )


def test_sms_opt_out_set_and_clear(client, demo):
    citizen_id = demo.citizen_id("demo-borger")
    url = f"/service/citizens/{citizen_id}/sms-opt-out"
    r = client.post(url, json={"opt_out": True}, headers=service_headers())
    assert r.status_code == 200 and r.json() == {"citizen_id": citizen_id, "sms_opt_out": True}
    looked_up = client.get("/service/citizens/by-phone/+4500000101", headers=service_headers())
    assert looked_up.json()["sms_opt_out"] is True
    r = client.post(url, json={"opt_out": False}, headers=service_headers())
    assert r.json()["sms_opt_out"] is False


def test_sms_opt_out_unknown_citizen_and_bad_body(client):
    url = "/service/citizens/c-nope/sms-opt-out"
    assert client.post(url, json={"opt_out": True}, headers=service_headers()).status_code == 404
    assert client.post(url, json={"opt_out": "maybe"}, headers=service_headers()).status_code == 422
