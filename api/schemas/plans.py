from __future__ import annotations

from datetime import date

from api.models.plans import PlanItemKind, PlanItemStatus
from api.schemas.common import ORMModel


class PlanItemOut(ORMModel):
    id: str
    title: str
    description: str | None
    kind: PlanItemKind
    status: PlanItemStatus
    due_date: date | None
    sort_order: int
