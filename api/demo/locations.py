"""Load locations and weekly opening hours from a reviewed data file (JSON, see locations.json).

Used for the demo data and, with a municipality's own checked file, for real data:
``python -m api.cli load-locations path/to/locations.json``. Upserts by id; opening hours of a
listed location are replaced; locations not in the file are left alone.
"""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api.models.locations import Location, LocationChannel, LocationKind, OpeningHours

DEMO_LOCATIONS_FILE = Path(__file__).with_name("locations.json")


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def load_locations(session: Session, path: Path = DEMO_LOCATIONS_FILE) -> list[str]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    ids = []
    for entry in data["locations"]:
        location = session.get(Location, entry["id"])
        if location is None:
            location = Location(id=entry["id"])
            session.add(location)
        location.name = entry["name"]
        location.kind = LocationKind(entry["kind"])
        location.channel = LocationChannel(entry["channel"])
        location.aliases = list(entry.get("aliases", []))
        location.street = entry.get("street")
        location.postal_code = entry.get("postal_code")
        location.city = entry.get("city")
        location.phone = entry.get("phone")
        location.note = entry.get("note")
        location.verified = bool(entry.get("verified", False))
        location.source = entry.get("source")
        location.opening_hours.clear()
        session.flush()
        for hours in entry.get("opening_hours", []):
            location.opening_hours.append(
                OpeningHours(
                    weekday=int(hours["weekday"]),
                    opens=_clock(hours["opens"]),
                    closes=_clock(hours["closes"]),
                )
            )
        ids.append(location.id)
    session.flush()
    return ids
