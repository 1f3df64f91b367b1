"""A person's contact history: every contact with them, newest first, in keyset pages."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.queries.windows import decode, encode

Document = dict[str, Any]
HISTORY_LIMIT = 5000  # a person contacted every week for a century; the match is one person's contacts


async def person_history(
    db: AsyncDatabase[Any], person_id: str, after: str | None, limit: int
) -> tuple[list[Document], str | None]:
    """An equality on the person (indexed): one person's contacts are few, so they are ordered here."""
    docs = await db.contacts.find({"person_id": person_id}, limit=HISTORY_LIMIT).to_list()
    ordered = sorted(docs, key=_order, reverse=True)
    if after is not None:
        cursor = decode(after)
        ordered = [doc for doc in ordered if _key(doc) < cursor]
    page = ordered[: limit + 1]
    following = encode(_key(page[limit - 1])) if len(page) > limit else None
    return page[:limit], following


def _order(doc: Document) -> tuple[str, str]:
    return (doc["contacted_on"], doc["_id"])


def _key(doc: Document) -> str:
    return f"{doc['contacted_on']}|{doc['_id']}"
