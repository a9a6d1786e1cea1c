"""The citizen's plan (Min Plan): goals, activities and deadlines."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, enum_type


class PlanItemKind(StrEnum):
    GOAL = "goal"
    ACTIVITY = "activity"
    DEADLINE = "deadline"


class PlanItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class PlanItem(Base):
    __tablename__ = "plan_items"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[PlanItemKind] = mapped_column(enum_type(PlanItemKind, "plan_item_kind"))
    status: Mapped[PlanItemStatus] = mapped_column(
        enum_type(PlanItemStatus, "plan_item_status"), default=PlanItemStatus.PLANNED
    )
    due_date: Mapped[date | None]
    sort_order: Mapped[int] = mapped_column(default=0)
