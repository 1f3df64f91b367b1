"""`vet verify-archive` (`python -m reporting verify-archive`): check the audit archive's chain and seals."""

from __future__ import annotations

import argparse

from reporting.application import ReportingApplication
from vet_common.settings import Settings


def verify_archive_command(settings: Settings, argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="vet verify-archive", description="Check the audit archive's hash chain and seals"
    ).parse_args(argv)
    application = ReportingApplication(settings)
    try:
        verdict = application.verify_archive()
    finally:
        application.close()
    for problem in verdict.problems:
        print(f"entry {problem.position}: {problem.message}")
    summary = f"{verdict.entries} entries, {verdict.seals} seals, sealed through entry {verdict.sealed_through}"
    if verdict.intact:
        print(f"reporting: the audit archive is intact ({summary})")
        return 0
    print(f"reporting: the audit archive was altered ({summary}); see the entries above")
    return 1
