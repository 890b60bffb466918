// Functions run inside the audited tab through chrome.scripting.executeScript({func}). Each is
// serialised on its own, so it must not use anything outside its body.

// The rendered DOM, after the layout probe annotated it, as HTML for POST /api/v1/audit.
// `maxBytes` caps what is sent: above it, the copy drops what the audit never reads (scripts,
// styles, inline SVG, data: URLs); still above it, the page is not sent. The probe's attributes
// are taken off the page once it is read: the page is left as it was found.
export function serialisePage(maxBytes) {
  const PROBE_ATTRIBUTES = ["data-fa-visible", "data-fa-box", "data-fa-hit", "data-fa-doc"];
  const encoder = new TextEncoder();
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
  let html = doctype + document.documentElement.outerHTML;
  let bytes = encoder.encode(html).length;
  let reduced = false;
  if (bytes > maxBytes) {
    const copy = document.documentElement.cloneNode(true);
    for (const el of copy.querySelectorAll("script, style, noscript, template, svg, iframe")) {
      el.remove();
    }
    for (const el of copy.querySelectorAll("[src^='data:'], [href^='data:']")) {
      if (el.hasAttribute("src")) el.setAttribute("src", "data:,");
      if (el.hasAttribute("href")) el.setAttribute("href", "data:,");
    }
    html = doctype + copy.outerHTML;
    bytes = encoder.encode(html).length;
    reduced = true;
  }
  for (const name of PROBE_ATTRIBUTES) {
    for (const el of document.querySelectorAll(`[${name}]`)) el.removeAttribute(name);
  }
  return { url: location.href, html: bytes > maxBytes ? null : html, bytes, reduced };
}

// Outlines on the page: each mark found (green), each mark that breaks a rule (red) and each
// place where a missing mark, link or badge belongs (red, dashed). Called again, it removes them.
export function drawHighlights(items, colours, toggle) {
  const ID = "footer-audit-highlights";
  const old = document.getElementById(ID);
  if (old) {
    old.remove();
    if (toggle) return { drawn: 0, removed: true, missing: [] };
  }
  const norm = (s) => String(s || "").normalize("NFKC").replace(/\s+/g, "");
  const sx = window.scrollX, sy = window.scrollY;
  const docBox = (el) => {
    const r = el.getBoundingClientRect();
    return [r.left + sx, r.top + sy, r.width, r.height];
  };
  // The box of an element's contents: a paragraph's text, not the full width of its block.
  const textBox = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? [r.left + sx, r.top + sy, r.width, r.height] : docBox(el);
  };
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD"]);

  // The smallest shown element whose text holds the needle (spaces and full-width forms aside).
  function find(needle) {
    const want = norm(needle);
    if (!want || !document.body) return null;
    let best = null, bestLen = Infinity;
    for (const el of document.body.getElementsByTagName("*")) {
      if (SKIP.has(el.tagName) || el.id === ID) continue;
      const text = norm(el.textContent);
      // Ties go to the later element: the deeper one, whose box hugs the text.
      if (text.length > bestLen || !text.includes(want)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      best = el;
      bestLen = text.length;
    }
    return best;
  }

  function footerBottom(marks) {
    if (marks.length) {
      const x0 = Math.min(...marks.map((b) => b[0]));
      const x1 = Math.max(...marks.map((b) => b[0] + b[2]));
      const y1 = Math.max(...marks.map((b) => b[1] + b[3]));
      return { x: x0, y: y1 + 6, w: Math.max(x1 - x0, 260) };
    }
    const footer = document.querySelector("footer, [role=contentinfo], #footer, .footer");
    const docW = document.documentElement.scrollWidth;
    if (footer) {
      const b = docBox(footer);
      if (b[2] > 0 && b[3] > 0) return { x: b[0] + 8, y: b[1] + b[3] - 40, w: Math.max(b[2] - 16, 260) };
    }
    const docH = Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);
    return { x: Math.max(0, docW / 2 - 200), y: docH - 44, w: 400 };
  }

  const layer = document.createElement("div");
  layer.id = ID;
  layer.setAttribute("aria-hidden", "true");
  layer.style.cssText = "position:absolute;left:0;top:0;width:0;height:0;z-index:2147483647;" +
    "pointer-events:none;margin:0;padding:0;border:0;";
  const boxes = [];
  const missing = [];
  const marks = [];
  const placed = items.map((item) => {
    let box = null;
    if (item.kind !== "slot" || item.slot === "badge") {
      const el = item.needle ? find(item.needle) : null;
      box = el ? textBox(el) : item.box;
      if (item.kind === "slot" && box) box = [box[0] - 24, box[1], 20, Math.max(box[3], 20)];
    }
    if (item.kind === "mark" && box) marks.push(box);
    return { item, box };
  });
  let slot = null;
  for (const p of placed) {
    if (p.item.kind === "slot" && p.item.slot === "footer") {
      slot = slot || footerBottom(marks);
      p.box = [slot.x, slot.y, slot.w, 26];
      slot.y += 32;
    }
    if (!p.box) {
      missing.push(p.item.label);
      continue;
    }
    const [x, y, w, h] = p.box;
    const colour = p.item.kind === "mark" ? colours.pass : colours.error;
    const frame = document.createElement("div");
    frame.className = "footer-audit-" + p.item.kind;
    frame.title = p.item.label;
    frame.style.cssText = `position:absolute;left:${x - 3}px;top:${y - 3}px;width:${w + 6}px;` +
      `height:${h + 6}px;box-sizing:border-box;border:3px ${p.item.kind === "slot" ? "dashed" : "solid"} ${colour};` +
      `background:${colour}1a;border-radius:3px;`;
    if (p.item.kind !== "mark") {
      const tag = document.createElement("span");
      tag.textContent = p.item.label;
      // A missing mark's label fills its empty slot; a wrong mark's sits above it.
      const where = p.item.kind === "slot" ? "left:0;top:0;max-width:100%;"
        : "left:-3px;bottom:100%;max-width:480px;opacity:.92;";
      tag.style.cssText = `position:absolute;${where}white-space:nowrap;overflow:hidden;` +
        `text-overflow:ellipsis;font:12px/1.4 sans-serif;color:#fff;background:${colour};` +
        "padding:1px 6px;border-radius:3px 3px 0 0;";
      frame.appendChild(tag);
    }
    layer.appendChild(frame);
    boxes.push(p.box);
  }
  document.documentElement.appendChild(layer);
  const first = placed.find((p) => p.box && p.item.kind !== "mark") || placed.find((p) => p.box);
  if (first) {
    window.scrollTo({ left: 0, top: Math.max(0, first.box[1] - window.innerHeight / 2), behavior: "instant" });
  }
  return { drawn: boxes.length, removed: false, missing };
}
