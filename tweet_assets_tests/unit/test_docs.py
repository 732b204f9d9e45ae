"""The front page stays a front page, and every page it or the manual links to exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "DEVELOPING.md", ROOT / "bench" / "README.md"]
PAGES += sorted((ROOT / "docs").glob("*.md"))


def links(page: Path) -> set[Path]:
    """The files a page's relative Markdown links point at."""
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    return {(page.parent / t).resolve() for t in targets if "://" not in t}


def test_the_readme_fits_on_a_screen_and_links_every_docs_page() -> None:
    readme = ROOT / "README.md"

    assert len(readme.read_text(encoding="utf-8").splitlines()) <= 200
    docs = {page.resolve() for page in (ROOT / "docs").glob("*.md")}
    assert len(docs) >= 4
    assert docs <= links(readme), sorted(str(p) for p in docs - links(readme))


def test_every_relative_link_of_the_pages_resolves() -> None:
    broken = [
        (page.name, str(target))
        for page in PAGES
        for target in sorted(links(page))
        if not target.exists()
    ]

    assert broken == []
