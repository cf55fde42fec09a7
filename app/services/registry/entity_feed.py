"""The households Entity List's OData feed (`households.svc/Entities`): one page of households in the caller's
places, as Central pages entities (central-backend lib/resources/odata-entities.js, lib/model/query/
entities.js streamForExport and countByDatasetId, lib/data/entity.js streamEntityOdata).

Rows come newest first, by (created_at, id). $skip and $top cut that order; the next page's $skiptoken names
the last household sent, and the next page starts after it (keyset: a page costs the same wherever it is,
and a household registered meanwhile shifts nothing). @odata.count, when asked for, counts every household
the filter keeps, whatever the page. There is a next page when a row remains after this one's $top: one
more row is read to know, instead of counting.
"""
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select, true, tuple_

from ...core.access import Access, Permission
from ...core.odata_options import QueryOptions, read_entity_skiptoken
from ...extensions import db
from ...models import Household
from ...problems import invalid_skiptoken, odata_not_implemented
from ...queries.places import within
from .entity_filter import household_filter
from .entity_list import NEWEST_FIRST, HouseholdEntity, entity_columns, readable, require_list, to_entity


@dataclass
class FeedPage:
    """One page: `count` (when asked for), then `rows()`; once they are read, `next_after` is the uuid the
    next page starts after (None on the last page)."""
    count: int | None
    _rows: Iterator = field(repr=False)
    _top: int | None = None
    _show_ids: bool = False
    next_after: str | None = None

    def rows(self) -> Iterator[HouseholdEntity]:
        sent = 0
        last = None
        for row in self._rows:
            if self._top is not None and sent == self._top:
                self.next_after = last      # a row remains after the page
                break
            entity = to_entity(row, self._show_ids)
            last = entity.uuid
            sent += 1
            yield entity


def entity_feed(access: Access, name: str, options: QueryOptions) -> FeedPage:
    """A page of the feed. Everything that can fail does so here, before the first row is read: Problem
    404.1 for another list, 501.1 for $orderby (the feed has one order, newest first; Central offers it),
    entity_filter's Problems for a bad $filter, 400.35 for a $skiptoken not this feed's or naming no household
    of the caller's places."""
    require_list(name)
    if options.orderby:
        raise odata_not_implemented("$orderby")
    after = read_entity_skiptoken(options.skiptoken) if options.skiptoken else None
    condition = household_filter(options.filter) if options.filter else true()
    query = readable(access, entity_columns()).where(condition)
    if after is not None:
        cursor = db.session.execute(select(Household.created_at, Household.id).where(
            Household.uuid == after, Household.project_id == access.project_id,
            within(Household.admin_code, access.places))).first()
        if cursor is None:
            raise invalid_skiptoken()
        query = query.where(tuple_(Household.created_at, Household.id) < tuple_(cursor.created_at, cursor.id))
    count = None
    if options.count:
        count = db.session.scalar(select(func.count()).select_from(Household).where(
            Household.project_id == access.project_id, within(Household.admin_code, access.places), condition))
    query = query.order_by(*NEWEST_FIRST).offset(options.skip)
    if options.top is not None:
        query = query.limit(options.top + 1)
    rows = iter(()) if options.top == 0 else _rows(query)
    return FeedPage(count, rows, options.top, access.can(Permission.PERSONAL_DATA_READ))


def _rows(query) -> Iterator:
    # Run as the rows are read, in the streamed response: a server-side cursor opened before the view returns
    # does not outlive the request's own transaction end.
    yield from db.session.execute(query, execution_options={"yield_per": 500})
