"""The repository's Markdown stands on its own: no path outside the repository, no link to a file it lacks.

A clone has only what is in the repository, so README.md and docs/*.md (every Markdown file, in fact) may neither
refer to `../something` above the repository nor link to a file, folder or heading that does not exist in it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Folders that hold no documentation of ours: tools' caches, the virtualenv, the local stack's data.
SKIPPED_DIRS = {"node_modules", "dist", "build", "__pycache__"}

# The design notes these documents replaced lived beside the repository, in ../shared/: never refer to them.
OUTSIDE_NOTES = re.compile(r"\bshared/(?:ARCHITECTURE|DOMAIN|CONVENTIONS)\.md|\bshared/seeds\b")
# `../` (once or more) and the path it starts, wherever it is: prose, links, code.
UPWARD = re.compile(r"(?<![\w.])((?:\.\./)+[^\s`'\"()<>\[\]|,;]*)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^()\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
HTML_LINK = re.compile(r"\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']")
HTML_ANCHOR = re.compile(r"\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']")
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def markdown_files(root: Path = ROOT) -> list[Path]:
    """Every Markdown file of the repository, outside hidden folders (.git, .venv, .local ...) and build output."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        found += [Path(folder) / name for name in files if name.lower().endswith(".md")]
    return sorted(found)


def without_code(text: str, spans: bool = True) -> str:
    """The text with fenced code blocks (and inline code spans) blanked out, keeping every offset and newline."""
    lines, fence = [], ""
    for line in text.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            lines.append(re.sub(r"[^\n]", " ", line))
        elif opening:
            fence = opening.group(1)
            lines.append(re.sub(r"[^\n]", " ", line))
        else:
            lines.append(line)
    prose = "".join(lines)
    if spans:
        prose = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), prose)
    return prose


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lower case, punctuation dropped, spaces turned into hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    prose = without_code(text, spans=False)
    found: set[str] = set()
    seen: dict[str, int] = {}
    for match in HEADING.finditer(prose):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found | set(HTML_ANCHOR.findall(without_code(text)))


def link_targets(text: str) -> Iterator[tuple[int, str]]:
    """(offset, target) of every link outside code: inline, reference definitions, HTML href/src."""
    prose = without_code(text)
    for pattern in (INLINE_LINK, REFERENCE_DEFINITION, HTML_LINK):
        for match in pattern.finditer(prose):
            yield match.start(1), match.group(1).strip("<>")


def inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def problems(path: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with one Markdown file, one line per problem, as `file:line: what`."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(root).as_posix()
    found = []

    def report(offset: int, message: str) -> None:
        found.append(f"{name}:{text.count(chr(10), 0, offset) + 1}: {message}")

    reported: list[range] = []
    for match in UPWARD.finditer(text):
        if not inside((path.parent / match.group(1)).resolve(), root):
            report(match.start(1), f"refers to {match.group(1)}, outside the repository")
            reported.append(range(*match.span(1)))
    for match in OUTSIDE_NOTES.finditer(text):
        if not (root / match.group(0)).exists() and not any(match.start() in span for span in reported):
            report(match.start(), f"refers to {match.group(0)}, which is not in the repository")
    for offset, target in link_targets(text):
        if SCHEME.match(target):
            if target.lower().startswith("file:"):
                report(offset, f"links to {target}, outside the repository")
            continue  # a web address
        address, _, fragment = target.partition("#")
        address = unquote(address.partition("?")[0])
        if not address:
            linked = path
        else:
            linked = ((root / address.lstrip("/")) if address.startswith("/") else (path.parent / address)).resolve()
        if not inside(linked, root):
            report(offset, f"links to {target}, outside the repository")
        elif not linked.exists():
            report(offset, f"links to {target}, which does not exist")
        elif fragment and linked.suffix.lower() == ".md" and unquote(fragment).lower() not in anchors(linked):
            report(offset, f"links to {target}, but {linked.relative_to(root).as_posix()} has no such heading")
    return found


# The repository's own documents -----------------------------------------------------------------------------------


def test_the_documents_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in markdown_files()}
    assert {"README.md", "docs/architecture.md", "docs/domain.md", "docs/operations.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_markdown_stays_inside_the_repository_and_links_what_exists(path: Path) -> None:
    assert problems(path) == []


def test_the_readme_links_every_document_in_docs() -> None:
    linked = {target.partition("#")[0] for _, target in link_targets((ROOT / "README.md").read_text(encoding="utf-8"))}
    for document in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{document.name}" in linked, f"README.md does not link docs/{document.name}"


# The checker itself, on a small repository of its own -------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "services").mkdir()
    (root / "docs" / "guide.md").write_text("# Guide\n\n## Key contacts (重点联系对象)\n\n## Ports\n## Ports\n")
    (root / "docs" / "指南.md").write_text("# 指南\n", encoding="utf-8")
    return root


def check(repo: Path, text: str, where: str = "README.md") -> list[str]:
    path = repo / where
    path.write_text(text, encoding="utf-8")
    return problems(path, repo)


@pytest.mark.parametrize(
    "text",
    [
        "See [the guide](docs/guide.md), [its ports](docs/guide.md#ports-1) and <https://example.org/x>.",
        "[重点](docs/guide.md#key-contacts-重点联系对象), [code](services/) and [here](#top).\n\n# Top\n",
        "Chinese names, as typed or percent-encoded: [指南](docs/指南.md), [指南](docs/%E6%8C%87%E5%8D%97.md#指南)",
        "A link in code is not one: `[x](missing.md)`\n\n```\n[y](missing.md)\n```\n",
        "[ref]: docs/guide.md\n",
        'Run `uv run pytest` (see [docs](docs/guide.md "the guide")).',
    ],
)
def test_the_checker_accepts(repo: Path, text: str) -> None:
    assert check(repo, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See `../shared/ARCHITECTURE.md` for the design.", "README.md:1: refers to ../shared/ARCHITECTURE.md"),
        ("First line\n[design](../shared/DOMAIN.md)", "README.md:2: refers to ../shared/DOMAIN.md"),
        ("```bash\ncat ../notes.txt\n```", "README.md:2: refers to ../notes.txt, outside"),
        ("The notes in shared/CONVENTIONS.md say so.", "refers to shared/CONVENTIONS.md, which is not in"),
        ("[gone](docs/missing.md)", "links to docs/missing.md, which does not exist"),
        ("[gone](/docs/missing.md)", "links to /docs/missing.md, which does not exist"),
        ("[heading](docs/guide.md#no-such-heading)", "has no such heading"),
        ("[local](file:///etc/passwd)", "links to file:///etc/passwd, outside"),
        ('<a href="docs/nothing.html">x</a>', "links to docs/nothing.html, which does not exist"),
    ],
)
def test_the_checker_refuses(repo: Path, text: str, expected: str) -> None:
    found = check(repo, text)
    assert len(found) >= 1
    assert any(expected in problem for problem in found), found


def test_a_document_below_the_root_may_point_up_but_not_out(repo: Path) -> None:
    (repo / "README.md").write_text("# Readme\n")
    assert check(repo, "[readme](../README.md#readme) and `../services/`", "docs/other.md") == []
    assert check(repo, "[up](../../elsewhere.md)", "docs/other.md") == [
        "docs/other.md:1: refers to ../../elsewhere.md, outside the repository",
        "docs/other.md:1: links to ../../elsewhere.md, outside the repository",
    ]
