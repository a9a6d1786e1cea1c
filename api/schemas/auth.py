from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from api.schemas.common import InputModel


class DemoLoginIn(InputModel):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
