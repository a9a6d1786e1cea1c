"""A citizen's case: target group (målgruppe), benefit and caseworker."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db.base import Base, enum_type

if TYPE_CHECKING:
    from api.models.citizens import Citizen
    from api.models.users import User


class TargetGroup(StrEnum):
    """Målgrupper in the employment effort (codes are ASCII-folded Danish terms)."""

    JOBPARAT_KONTANTHJAELP = "jobparat_kontanthjaelp"
    AKTIVITETSPARAT_KONTANTHJAELP = "aktivitetsparat_kontanthjaelp"
    UDDANNELSESPARAT_UDDANNELSESHJAELP = "uddannelsesparat_uddannelseshjaelp"
    AKTIVITETSPARAT_UDDANNELSESHJAELP = "aktivitetsparat_uddannelseshjaelp"
    FORSIKRET_LEDIG = "forsikret_ledig"
    SYGEDAGPENGE = "sygedagpenge"
    LEDIGHEDSYDELSE = "ledighedsydelse"
    FLEKSJOB = "fleksjob"
    RESSOURCEFORLOEB = "ressourceforloeb"
    JOBAFKLARINGSFORLOEB = "jobafklaringsforloeb"
    SELVFORSOERGELSES_OG_HJEMREJSEYDELSE = "selvforsoergelses_og_hjemrejseydelse"
    OVERGANGSYDELSE = "overgangsydelse"
    REVALIDERING = "revalidering"


# Danish label and the benefit usually received in the group.
TARGET_GROUPS: dict[TargetGroup, tuple[str, str]] = {
    TargetGroup.JOBPARAT_KONTANTHJAELP: ("Jobparat kontanthjælpsmodtager", "kontanthjælp"),
    TargetGroup.AKTIVITETSPARAT_KONTANTHJAELP: (
        "Aktivitetsparat kontanthjælpsmodtager",
        "kontanthjælp",
    ),
    TargetGroup.UDDANNELSESPARAT_UDDANNELSESHJAELP: (
        "Uddannelsesparat uddannelseshjælpsmodtager",
        "uddannelseshjælp",
    ),
    TargetGroup.AKTIVITETSPARAT_UDDANNELSESHJAELP: (
        "Aktivitetsparat uddannelseshjælpsmodtager",
        "uddannelseshjælp",
    ),
    TargetGroup.FORSIKRET_LEDIG: ("Forsikret ledig", "arbejdsløshedsdagpenge"),
    TargetGroup.SYGEDAGPENGE: ("Sygedagpengemodtager", "sygedagpenge"),
    TargetGroup.LEDIGHEDSYDELSE: ("Ledighedsydelsesmodtager", "ledighedsydelse"),
    TargetGroup.FLEKSJOB: ("Ansat i fleksjob", "løn med fleksløntilskud"),
    TargetGroup.RESSOURCEFORLOEB: ("I ressourceforløb", "ressourceforløbsydelse"),
    TargetGroup.JOBAFKLARINGSFORLOEB: ("I jobafklaringsforløb", "ressourceforløbsydelse"),
    TargetGroup.SELVFORSOERGELSES_OG_HJEMREJSEYDELSE: (
        "Modtager af selvforsørgelses- og hjemrejseydelse (tidligere integrationsydelse)",
        "selvforsørgelses- og hjemrejseydelse",
    ),
    TargetGroup.OVERGANGSYDELSE: ("Modtager af overgangsydelse", "overgangsydelse"),
    TargetGroup.REVALIDERING: ("Under revalidering", "revalideringsydelse"),
}


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), unique=True
    )
    target_group: Mapped[TargetGroup] = mapped_column(enum_type(TargetGroup, "target_group"))
    benefit: Mapped[str] = mapped_column(String(120))
    caseworker_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus, "case_status"), default=CaseStatus.OPEN
    )
    opened_on: Mapped[date]

    citizen: Mapped[Citizen] = relationship(back_populates="case")
    caseworker: Mapped[User | None] = relationship()
