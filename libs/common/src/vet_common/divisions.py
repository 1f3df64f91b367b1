"""The national table of administrative divisions shipped in data/regions.tsv.gz, read once on first use."""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources

# The National Bureau of Statistics' table covers the mainland only; ID numbers and records still use these.
OUTSIDE_TABLE = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}
# A table code is 2 (province), 4 (city), 6 (county) or 9 (township) digits; its parent is the shorter prefix.
_PARENT_LENGTH = {4: 2, 6: 4, 9: 6}


@dataclass(frozen=True)
class DivisionTable:
    names: dict[str, str]  # code as the table writes it -> name (东莞's one county-level row is 441900)
    parents: frozenset[str]  # codes with at least one child in the table: their children are all listed
    provinces: dict[str, str]
    source: str  # the data file's header: which package and version it was built from

    @classmethod
    def from_names(cls, names: dict[str, str], source: str) -> DivisionTable:
        parents = frozenset(code[: _PARENT_LENGTH[len(code)]] for code in names if len(code) > 2)
        provinces = dict(sorted((code, name) for code, name in names.items() if len(code) == 2))
        return cls(names, parents, provinces, source)


@functools.cache
def division_table() -> DivisionTable:
    """About 45,000 rows, a few tens of milliseconds: loaded by the first validation, not at import."""
    data = resources.files("vet_common").joinpath("data", "regions.tsv.gz")
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        source = next(lines).removeprefix("#").strip()
        names = dict(line.rstrip("\n").split("\t", 1) for line in lines)
    return DivisionTable.from_names(names | OUTSIDE_TABLE, source)
