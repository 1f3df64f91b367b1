"""The chaos harness's end check (bench/chaos.py): reporting's figures are compared region by region with the
commands answered in that region. It once compared the county 350102's figure with every registration of a
load spread over three counties, and so reported half the people missing from a reporting that had them all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from vet_devtools.testing.scenarios import VILLAGES, person


def load_chaos() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "chaos.py"
    spec = importlib.util.spec_from_file_location("chaos_harness", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


chaos = load_chaos()


def a_load(people: int) -> Any:
    """A ledger as the load leaves it: people registered as person(n) does, a contact for every third."""
    ledger = chaos.Ledger()
    for n in range(people):
        region = str(person(n)["region"])
        ledger.record("person", f"p{n}", region)
        if n % 3 == 0:
            ledger.record("contact", f"c{n}", region)
    ledger.record("fund", "f1", "350102")
    return ledger


def test_the_figures_expected_of_a_county_are_the_commands_answered_within_it() -> None:
    ledger = a_load(331)
    counties = sorted({village[:6] for village in VILLAGES})
    assert ledger.regions() == ["35", *counties]
    province = ledger.expected_figures("35")
    assert province == {"persons": 331, "visits": 111, "funds": 1}
    by_county = [ledger.expected_figures(county) for county in counties]
    assert sum(figures["persons"] for figures in by_county) == 331
    assert ledger.expected_figures("350102") == {"persons": 166, "visits": 55, "funds": 1}  # n % 4 in (0, 1)


def test_a_repeated_answer_counts_once() -> None:
    ledger = a_load(4)
    ledger.record("person", "p0", str(person(0)["region"]))
    assert ledger.expected_figures("35")["persons"] == 4


def test_a_figure_short_in_any_region_is_a_failure_and_says_where() -> None:
    ledger = a_load(331)
    expected = {region: ledger.expected_figures(region) for region in ledger.regions()}
    assert chaos.figure_mismatches(expected, expected) == []
    short = {region: dict(figures) for region, figures in expected.items()}
    short["350103"]["persons"] -= 1
    (problem,) = chaos.figure_mismatches(expected, short)
    assert problem.startswith("reporting shows 350103")
    # Unreachable reporting (an empty answer) is a mismatch too, not a pass.
    assert len(chaos.figure_mismatches(expected, {})) == len(expected)
