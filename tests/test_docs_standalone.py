"""The repository stands on its own: its files point only to docs it ships.

No shipped file names the spec files kept outside the repository (`RULES.md`, `rules-evidence.md`)
or a `../shared` path; tests may build a path into the shared directory to read data, nothing
more. Every `docs/marks.md §N` and `docs/sources.md §N` reference names a section that exists, the
rule table of `docs/marks.md §3` is the registry's, and `docs/check.md` documents every field the
check JSON has. (The import floors of `docs/architecture.md` are import contracts:
tests/test_import_contracts.py.)
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from crawler.fetch.statuses import PageStatus
from crawler.items import FetchedPage
from pipelines.audit import audit_fetched_page
from rules.model import Expectations
from rules.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()

# A path into the shared directory beside the checkout ("../shared/...", `/ "shared" /`).
SHARED_PATH = re.compile(r"\.\./shared\b|[\"']shared[\"']\s*/|/\s*[\"']shared[\"']")
# Names of the spec files kept there, and such paths.
FOREIGN = re.compile(r"RULES\.md|rules-evidence\.md|" + SHARED_PATH.pattern)
DOC_REF = re.compile(r"docs/(marks|sources)\.md((?:,?\s*§\d+(?:\.\d+)*)+)(?:\s+\"([^\"]+)\")?")
SECTION = re.compile(r"§(\d+(?:\.\d+)*)")


def shipped_files() -> list[str]:
    """Every file git tracks (the checkout's own files when this is no git work tree)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}
        names = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                 if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)]
    assert names, "no files found"
    return sorted(n for n in names if (ROOT / n).is_file())


def text_of(name: str) -> str | None:
    try:
        return (ROOT / name).read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # images and other binary files hold no references


def sections(doc: str) -> dict[str, str]:
    """`{"2.5": text of that section (up to the next heading of any level)}` of docs/<doc>."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    parts = re.split(r"^#+ §(\d+(?:\.\d+)*) ", text, flags=re.M)
    found = {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}
    # A section's text includes its subsections (§1 holds §1.1 ... and its ### titles).
    return {num: "".join(body for sub, body in found.items()
                         if sub == num or sub.startswith(num + ".")) for num in found}


def references() -> list[tuple[str, int, str, str, str | None]]:
    """(file, line, doc, section, quoted title) for every docs/marks.md / docs/sources.md §N."""
    refs = []
    for name in shipped_files():
        text = text_of(name)
        if text is None or "docs/" not in text:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in DOC_REF.finditer(line):
                for num in SECTION.findall(m.group(2)):
                    refs.append((name, lineno, f"{m.group(1)}.md", num, m.group(3)))
    return refs


def test_no_shipped_file_points_outside_the_repository() -> None:
    offenders = []
    for name in shipped_files():
        if name == THIS:
            continue
        text = text_of(name)
        if text is None:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if not FOREIGN.search(line):
                continue
            if name.startswith("tests/") and SHARED_PATH.search(line) \
                    and not re.search(r"RULES\.md|rules-evidence\.md", line):
                continue  # a test reading data from the shared directory
            offenders.append(f"{name}:{lineno}: {line.strip()}")
    assert not offenders, (
        "these lines point to files a clone does not have; cite docs/marks.md, docs/sources.md, "
        "docs/check.md or docs/architecture.md instead:\n" + "\n".join(offenders))


def test_the_docs_have_numbered_sections() -> None:
    assert set(sections("marks.md")) == {"1", "2", "3"}
    src = sections("sources.md")
    for num in ("0", "1", "1.4", "2", "2.7", "3.3", "5", "5.4", "11", "12", "13.1", "13.3", "14"):
        assert num in src, f"docs/sources.md has no §{num}"


def test_every_section_reference_exists() -> None:
    docs = {"marks.md": sections("marks.md"), "sources.md": sections("sources.md")}
    refs = references()
    assert any(doc == "sources.md" for _, _, doc, _, _ in refs)
    missing = []
    for name, lineno, doc, num, title in refs:
        if num not in docs[doc]:
            missing.append(f"{name}:{lineno}: docs/{doc} has no §{num}")
        elif title and title not in docs[doc][num]:
            missing.append(f"{name}:{lineno}: docs/{doc} §{num} has no \"{title}\"")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("doc", ["marks.md", "sources.md"])
def test_bare_section_references_inside_a_doc_exist(doc: str) -> None:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    own = sections(doc)
    # References to the other doc are checked above; what remains points into this one.
    body = DOC_REF.sub("", re.sub(r"^#+ §\S+ ", "", text, flags=re.M))
    missing = sorted({n for n in SECTION.findall(body) if n not in own})
    assert not missing, f"docs/{doc} refers to sections it lacks: {missing}"


def test_the_rule_table_is_the_registry() -> None:
    table = sections("marks.md")["3"].split("### Page statuses", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (\w+)", table, re.M)
    assert [code for code, _ in rows] == [r.code for r in RULES]
    for rule, (code, severity) in zip(RULES, rows, strict=True):
        assert rule.severity == severity, code


def test_the_page_statuses_are_documented() -> None:
    marks = sections("marks.md")["3"].split("### Page statuses", 1)[1]
    check = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    for status in PageStatus:
        assert f"`{status}`" in check, status
        assert status == "ok" or f"| {status} |" in marks, status


# --- docs/check.md and the JSON the check prints --------------------------------------------

LICENCE_AND_WRONG_LINK = """
<p>增值电信业务经营许可证：浙B2-20080101</p>
<p><a href="http://www.miitbeian.gov.cn/">京ICP备12345678号-1</a></p>
"""


def real_check_json() -> dict:
    """The check JSON of the repository's sample page, plus a licence, a retired MIIT link and a
    render timeout, so that every object kind of the contract appears."""
    html = (ROOT / "examples" / "homepage.html").read_text(encoding="utf-8")
    html = html.replace("</body>", LICENCE_AND_WRONG_LINK + "</body>")
    page = FetchedPage(url="https://www.example.cn/", final_url="https://www.example.cn/",
                       status=PageStatus.OK, http_status=200, encoding="utf-8", html=html,
                       review_reasons=["render_timeout"], expectations=Expectations())
    return audit_fetched_page(page, snapshot=False).record.to_json()


def documented_fields(check_md: str, heading: str) -> dict[str, bool]:
    """`{field: optional}` from the table under `### <heading>` in docs/check.md."""
    body = check_md.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    return {f: "optional" in kind
            for f, kind in re.findall(r"^\| `(\w+)` \| ([^|]+) \|", body, re.M)}


def test_check_md_documents_every_field_of_the_json() -> None:
    check_md = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    result = real_check_json()
    findings = result["findings"]
    objects = {
        "Top level": [result],
        "`findings.icp[]`: ICP numbers": findings["icp"],
        "`findings.gongan[]`: 公安 filing marks": findings["gongan"],
        "`findings.copyright[]`: copyright lines": findings["copyright"],
        "`findings.licences[]`: other licences and identifiers": findings["licences"],
        "`violations[]`": result["violations"],
        "`review[]`": result["review"],
    }
    for heading, items in objects.items():
        assert items, f"the sample has no {heading}"
        documented = documented_fields(check_md, heading)
        seen = set().union(*(item.keys() for item in items))
        assert seen <= documented.keys(), (heading, seen - documented.keys())
        required = {f for f, optional in documented.items() if not optional}
        for item in items:
            assert required <= item.keys(), (heading, required - item.keys())
    assert any("href" in v for v in result["violations"])  # the optional fields do occur
    kinds = re.search(r"\| `kind` \| string \| (.+) \|", check_md).group(1)
    assert all(f"`{m['kind']}`" in kinds for m in findings["icp"])


def test_check_md_examples_have_the_real_shape() -> None:
    check_md = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    examples = [json.loads(block) for block in
                re.findall(r"^```json\n(.*?)^```", check_md, re.M | re.S)]
    assert len(examples) >= 2
    real = real_check_json()
    for example in examples:
        assert example.keys() == real.keys()
        assert example["findings"].keys() == real["findings"].keys()
        for part in ("icp", "gongan", "copyright", "licences"):
            for item in example["findings"][part]:
                assert item.keys() == real["findings"][part][0].keys(), part
        for violation in example["violations"]:
            assert {"code", "severity", "message", "message_zh", "evidence"} <= violation.keys()
            assert violation["code"] in {r.code for r in RULES}
