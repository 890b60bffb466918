"""The browser extension's files: one layout probe for the crawler and the extension, a Manifest V3
that asks only for what it uses, no remote code, every file it names present."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "extension"


def _manifest() -> dict:
    return json.loads((EXT / "manifest.json").read_text(encoding="utf-8"))


def test_the_extension_runs_the_crawlers_layout_probe_byte_for_byte() -> None:
    # An extension cannot load files outside its folder, so the probe is copied: the copy must
    # stay the crawler's, or the browser and the crawl would measure pages differently.
    crawler = (ROOT / "crawler" / "render" / "layout_probe.js").read_bytes()
    assert (EXT / "layout_probe.js").read_bytes() == crawler, (
        "extension/layout_probe.js differs from crawler/render/layout_probe.js: "
        "cp crawler/render/layout_probe.js extension/")


def test_manifest_v3_asks_only_for_what_it_uses() -> None:
    manifest = _manifest()
    assert manifest["manifest_version"] == 3
    assert sorted(manifest["permissions"]) == ["activeTab", "scripting", "storage"]
    # The server on this machine by default; any other server only when the options ask for it.
    assert manifest["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert set(manifest.get("optional_host_permissions", [])) <= {"http://*/*", "https://*/*"}
    # Scripts run in a page only when the user asks (activeTab), never on every page.
    assert "content_scripts" not in manifest
    assert "externally_connectable" not in manifest
    assert manifest["background"] == {"service_worker": "background.js", "type": "module"}


def test_no_remote_code() -> None:
    csp = _manifest()["content_security_policy"]["extension_pages"]
    assert re.search(r"script-src 'self'(;|$)", csp), csp
    for page in EXT.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for src in re.findall(r"<(?:script|link)\b[^>]*(?:src|href)=\"([^\"]+)\"", text):
            assert not re.match(r"[a-z]+:", src), f"{page.name} loads {src}"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {page.name}"
    for script in EXT.rglob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|import\(\s*['\"]https?:", text), script.name


def test_only_the_sandboxed_report_frame_runs_inline_script() -> None:
    # The stored HTML report carries its own filter script: it runs in a sandboxed page (a unique
    # origin without extension APIs or the token), never in an extension page.
    manifest = _manifest()
    assert manifest["sandbox"] == {"pages": ["report_frame.html"]}
    csp = manifest["content_security_policy"]["sandbox"]
    assert csp.startswith("sandbox allow-scripts ") and "allow-same-origin" not in csp
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    code = re.sub(r"//[^\n]*", "", (EXT / "report_frame.js").read_text(encoding="utf-8"))
    assert "chrome." not in code


def test_every_file_the_extension_names_exists() -> None:
    manifest = _manifest()
    named = [manifest["background"]["service_worker"], manifest["action"]["default_popup"],
             manifest["options_ui"]["page"], *manifest["sandbox"]["pages"],
             *manifest["icons"].values(),
             *manifest["action"]["default_icon"].values()]
    for page in EXT.glob("*.html"):
        named += re.findall(r"(?:src|href)=\"([^\"#?:]+)\"", page.read_text(encoding="utf-8"))
    for script in EXT.rglob("*.js"):
        text = script.read_text(encoding="utf-8")
        for target in re.findall(r"^import .* from \"(\.[^\"]+)\";$", text, re.M):
            named.append(str((script.parent / target).resolve().relative_to(EXT)))
        named += re.findall(r"files: \[\"([^\"]+)\"\]", text)
        named += re.findall(r"getURL\(`([^`?$]+)", text)
    missing = sorted({name for name in named if not (EXT / name).is_file()})
    assert named and missing == []


def test_both_languages_have_every_word() -> None:
    text = (EXT / "lib" / "i18n.js").read_text(encoding="utf-8").split("\n};\n", 1)[0]
    zh, en = (re.findall(r"^    (\w+):", block, re.M)
              for block in re.split(r"^  en: \{$", text, flags=re.M))
    assert zh and sorted(zh) == sorted(en)


def test_no_extension_file_is_left_unused() -> None:
    # Files the extension ships that nothing names would be dead weight in every install.
    shipped = {p.relative_to(EXT).as_posix() for p in EXT.rglob("*") if p.is_file()}
    text = "\n".join(p.read_text(encoding="utf-8") for p in EXT.rglob("*")
                     if p.suffix in (".json", ".html", ".js"))
    unused = sorted(name for name in shipped
                    if name != "manifest.json" and Path(name).name not in text)
    assert unused == []
