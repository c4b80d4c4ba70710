"""Pull pages parsed in ONE pass: each change's data checked by its entity's wire model.

`PullResponse` keeps `data` as a plain dict, so the client used to validate every change a
second time (one pydantic call per change, ~100k calls on a first sync). `TypedPull` tells
pydantic-core which data model goes with which entity, so the whole page is validated in
Rust by one `validate_json`; an entity this client does not know (a newer hub's) still
parses, as `OtherChange`, and is skipped with a log line instead of failing the page.
Measured on a first sync's pages: about a third less client time than `PullResponse` plus
one `model_validate` per change.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from repdesk.protocol.schema import Lenient
from repdesk.store.api import RemoteChange
from repdesk.sync.wire import DATA_MODELS, remote_of

log = logging.getLogger(__name__)


class TypedChange(Lenient):
    """One pulled change; `data` is already its entity's wire model (or None)."""

    entity: str
    id: str
    op: str
    """"upsert" or "remove"; anything else (a newer hub's) is skipped."""
    version: int
    data: Any = None


class OtherChange(TypedChange):
    """A change of an entity this client does not know: kept raw, then skipped."""


def _typed(entity: str, model: type[BaseModel]) -> Any:
    named = "".join(part.capitalize() for part in entity.split("_")) + "Change"
    entity_field: Any = (Literal[entity], ...)
    data_field: Any = (model | None, None)
    return create_model(named, __base__=TypedChange, entity=entity_field, data=data_field)


# A plain-string discriminator keeps the dispatch inside pydantic-core (a callable one made
# it build a Python dict per change: slower than validating each change's data afterwards).
# A change the tagged union refuses, an unknown entity or a known one with malformed data,
# lands in OtherChange; `remote_of` validates a known entity's raw data again and raises.
_CHANGE: Any = Annotated[
    Union[  # noqa: UP007 (a Union built from a tuple at run time)
        Annotated[
            Union[tuple(_typed(e, m) for e, m in DATA_MODELS.items())],  # noqa: UP007
            Field(discriminator="entity"),
        ],
        OtherChange,
    ],
    Field(union_mode="left_to_right"),
]


class TypedPull(Lenient):
    """The body of `GET /v1/sync/pull`, as `PullResponse` but with typed change data."""

    changes: list[_CHANGE]
    cursor: str
    has_more: bool


def remote_changes(page: TypedPull) -> list[RemoteChange]:
    """What the store applies for a page; unknown entities and ops are counted and skipped."""
    found: list[RemoteChange] = []
    skipped: Counter[str] = Counter()
    for change in page.changes:
        remote = remote_of(change.entity, change.id, change.op, change.version, change.data)
        if remote is None:
            skipped[f"{change.entity}/{change.op}"] += 1
        else:
            found.append(remote)
    if skipped:
        log.info("pull: skipped changes this client does not use: %s", dict(skipped))
    return found


__all__ = ["OtherChange", "TypedChange", "TypedPull", "remote_changes"]
