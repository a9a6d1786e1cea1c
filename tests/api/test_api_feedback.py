"""Anonymous thumbs up/down, stored masked, rate limited."""

import pytest
from sqlalchemy import select

from api.models import Feedback
from kkshared.rate_limit import SlidingWindowLimiter


def test_feedback_is_stored_masked(client, db_session):
    r = client.post(
        "/feedback",
        json={
            "sender_hash": "3f9c2a1b",
            "message_id": "msg-1",
            "rating": "down",
            "source_file": "000_0be9af2cecd9aa10.txt",
            "source_date": "2020",
            "comment": "Forkert svar, mit cpr er 0101901234",
        },
    )
    assert r.status_code == 201, r.text
    row = db_session.scalars(select(Feedback).where(Feedback.id == r.json()["id"])).one()
    assert row.conversation_ref == "3f9c2a1b" and row.rating == "down"
    assert row.comment == "Forkert svar, mit cpr er [CPR]"
    assert row.source_file == "000_0be9af2cecd9aa10.txt"


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_ref": "a", "message_id": "m", "rating": "meh"},
        {"message_id": "m", "rating": "up"},
        {"conversation_ref": "a", "message_id": "m", "rating": "up", "comment": "x" * 2001},
    ],
)
def test_invalid_feedback_is_422(client, body):
    assert client.post("/feedback", json=body).status_code == 422


def test_feedback_is_rate_limited(client, app):
    app.state.feedback_limiter = SlidingWindowLimiter(limit=3)
    body = {"conversation_ref": "a", "message_id": "m", "rating": "up"}
    codes = [client.post("/feedback", json=body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
