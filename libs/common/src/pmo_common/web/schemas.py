"""The base of every service's response bodies: answers read from the domain's records."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Self

from pydantic import BaseModel, ConfigDict

from pmo_common.web.pagination import Page, PageRequest, make_page


class OutputModel(BaseModel):
    """A response body read from the attributes of the record a use case returns."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    async def of_result(cls, record: Awaitable[object]) -> Self:
        """The answer built from the record a use case returns (for `CreateOnce.run`)."""
        return cls.model_validate(await record)

    @classmethod
    def page_of(cls, records: Iterable[object], page: PageRequest) -> Page[Self]:
        """A page of answers from up to limit + 1 records (the extra one signals more)."""
        return make_page([cls.model_validate(record) for record in records], page)
