"""How standards' repositories slice a list into the page the caller asked for."""

from __future__ import annotations

from typing import Any

from pmo_common.web.pagination import PageRequest
from sqlalchemy import Select


def paged(query: Select[Any], page: PageRequest) -> Select[Any]:
    """The query limited to the page's rows and the first row of the next page, if any.

    The extra row is how `make_page` tells that more follow, without counting every row.
    """
    return query.limit(page.limit + 1).offset(page.offset)
