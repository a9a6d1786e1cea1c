from __future__ import annotations

from datetime import date

from api.models.payments import PaymentStatus
from api.schemas.common import Money, ORMModel


class PaymentOut(ORMModel):
    id: str
    pay_date: date
    amount: Money
    status: PaymentStatus
    description: str
