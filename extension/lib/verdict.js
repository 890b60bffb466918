// What an audit answer (the `check --json` object, docs/check.md) means for the toolbar badge
// and for the highlights drawn on the page. Pure functions: no chrome.* here.

export const BADGE_COLOURS = Object.freeze({
  error: "#d93025",
  pass: "#188038",
  review: "#f29900",
  failed: "#5f6368",
});

export function errorCount(result) {
  return (result.violations || []).filter((v) => v.severity === "error").length;
}

// The verdict of one audit: "error" (errors to fix), "review" (the audit could not decide:
// needs_review, needs_rendering or a page that was not audited), or "pass" (no error).
export function verdictOf(result) {
  if (errorCount(result) > 0) return "error";
  if (result.status !== "ok") return "review";
  return "pass";
}

// The badge: the number of errors in red, a check mark in green, "?" when undecided.
export function badgeFor(result) {
  const verdict = verdictOf(result);
  if (verdict === "error") {
    const n = errorCount(result);
    return { text: n > 99 ? "99+" : String(n), color: BADGE_COLOURS.error, verdict };
  }
  if (verdict === "review") return { text: "?", color: BADGE_COLOURS.review, verdict };
  return { text: "\u2713", color: BADGE_COLOURS.pass, verdict };
}

// The badge when the server could not be asked (unreachable, token refused).
export const FAILED_BADGE = Object.freeze({ text: "!", color: BADGE_COLOURS.failed });

// The first data-fa-box in an HTML fragment: the box of its outermost annotated element.
export function boxFromHtml(html) {
  const m = /data-fa-box\s*=\s*"([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)"/.exec(html || "");
  if (!m) return null;
  const box = m.slice(1).map(Number);
  return box[2] > 0 && box[3] > 0 ? box : null;
}

// Rules whose violation means "something is missing here": the highlight marks the place where
// it belongs. A missing badge goes just before its 公安 mark; a missing mark goes into the footer.
const BADGE_SLOT = new Set(["gongan_missing_icon"]);
const FOOTER_SLOT = new Set([
  "icp_missing", "gongan_missing", "copyright_missing", "license_missing",
  "app_filing_missing", "subdomain_icp_missing", "gov_site_identifier_missing",
]);

// What to draw on the page. Each item: {kind, label, box?, needle?, anchor?}.
//   kind "mark": a mark found (green); "violation": a mark that breaks a rule (red);
//   "slot": where a missing mark, link or badge belongs (red, dashed).
// `box` is the probe's document box when the answer carries it; otherwise the page script finds
// the element by `needle` (the mark's text) in the annotated DOM.
export function highlightItems(result, lang = "zh") {
  const items = [];
  const findings = result.findings || {};
  for (const m of findings.icp || []) {
    items.push({ kind: "mark", label: m.number, box: boxFromHtml(m.evidence), needle: m.number });
  }
  for (const m of findings.gongan || []) {
    items.push({ kind: "mark", label: m.number, needle: m.code || m.number });
  }
  for (const c of findings.copyright || []) {
    items.push({ kind: "mark", label: c.text, needle: c.holder || c.text });
  }
  const gonganNeedle = (findings.gongan || []).map((m) => m.code || m.number)[0] || null;
  for (const v of result.violations || []) {
    const label = `${v.code}: ${lang === "en" ? v.message : v.message_zh}`;
    if (BADGE_SLOT.has(v.code)) {
      items.push({ kind: "slot", slot: "badge", label, box: boxFromHtml(v.html),
                   needle: v.evidence || gonganNeedle });
    } else if (FOOTER_SLOT.has(v.code)) {
      items.push({ kind: "slot", slot: "footer", label });
    } else {
      items.push({ kind: "violation", label, box: boxFromHtml(v.html), needle: v.evidence || null });
    }
  }
  return items;
}
