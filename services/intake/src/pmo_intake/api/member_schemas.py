"""Bodies of portfolio membership: who is given which role, and a member as answered."""

from __future__ import annotations

from datetime import datetime

from pmo_common.web.inputs import StrictInput, documented_examples
from pmo_common.web.schemas import OutputModel
from pydantic import EmailStr, Field

from pmo_intake.domain.portfolio_roles import PortfolioRole


class MemberIn(StrictInput):
    """A person to give a role in the portfolio (again with another role: the role changes)."""

    model_config = documented_examples(
        {"email": "grace.hopper@example.com", "role": "portfolio_manager"},
        {"email": "alan.turing@example.com", "role": "viewer"},
    )

    email: EmailStr = Field(description="Compared case-insensitively; stored in lower case")
    role: PortfolioRole = Field(
        description="`portfolio_manager`: acts for the portfolio (with the portfolio_manager "
        "role in the token); `viewer`: reads its projects and requests"
    )


class MemberOut(OutputModel):
    """A member of a portfolio."""

    portfolio_id: str
    email: str
    role: PortfolioRole
    added_by: str
    added_at: datetime
