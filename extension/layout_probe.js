// footer-audit layout probe: annotates a rendered page with the layout facts the audit reads.
//
// Runs in the page (Playwright `page.evaluate` after load, or the browser extension's content
// script) and writes attributes (names in rules/model.py) on the elements that matter: links,
// images and elements with their own text.
//   data-fa-visible  "1" shown at desktop width, "0" not (display, visibility, opacity, zero
//                    size, clipped by an overflow ancestor, placed off the document)
//   data-fa-box      "x,y,w,h" in CSS pixels, document coordinates
//   data-fa-hit      on visible links: "1" when a click at the centre of the link's first box
//                    reaches the link, "0" when something else (a fixed banner) covers it
//   data-fa-doc      on <html>: "doc_width,doc_height,viewport_width,viewport_height"
// The page's scroll position is restored at the end. Returns a small summary for logs.
(function (root) {
  "use strict";

  var ATTR_VISIBLE = "data-fa-visible";
  var ATTR_BOX = "data-fa-box";
  var ATTR_HIT = "data-fa-hit";
  var ATTR_DOC = "data-fa-doc";
  var SKIP = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, NOSCRIPT: 1, HEAD: 1, TITLE: 1, META: 1, LINK: 1 };

  function round(n) {
    return Math.round(n * 10) / 10;
  }

  function hasOwnText(el) {
    for (var n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3 && /\S/.test(n.nodeValue)) return true;
    }
    return false;
  }

  // Elements worth annotating: links, images, and elements that hold text themselves.
  function targets(doc) {
    var out = [];
    var all = doc.body ? doc.body.getElementsByTagName("*") : [];
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (SKIP[el.tagName]) continue;
      if (el.tagName === "A" || el.tagName === "IMG" || hasOwnText(el)) out.push(el);
    }
    return out;
  }

  function make(doc, win) {
    var styles = new Map();
    function style(el) {
      var s = styles.get(el);
      if (!s) {
        s = win.getComputedStyle(el);
        styles.set(el, s);
      }
      return s;
    }

    // Ancestors' opacity multiplies; "visibility: hidden" and "display: none" are covered by
    // checkVisibility where the browser has it (Chromium 121+), by hand elsewhere.
    function styleHidden(el) {
      if (el.checkVisibility) {
        return !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
      }
      var s = style(el);
      if (s.visibility === "hidden" || s.visibility === "collapse") return true;
      for (var a = el; a && a.nodeType === 1; a = a.parentElement) {
        var st = style(a);
        if (st.display === "none" || parseFloat(st.opacity) === 0) return true;
      }
      return false;
    }

    // The part of `rect` left after every overflow-clipping ancestor (viewport coordinates).
    function clipped(el, rect) {
      var l = rect.left, t = rect.top, r = rect.right, b = rect.bottom;
      for (var a = el.parentElement; a && a !== doc.documentElement; a = a.parentElement) {
        var s = style(a);
        if (s.position === "fixed") break;
        if (s.overflowX !== "visible" || s.overflowY !== "visible") {
          var c = a.getBoundingClientRect();
          if (s.overflowX !== "visible") { l = Math.max(l, c.left); r = Math.min(r, c.right); }
          if (s.overflowY !== "visible") { t = Math.max(t, c.top); b = Math.min(b, c.bottom); }
        }
      }
      var clip = style(el).clipPath;
      if (clip && /inset\(\s*50%/.test(clip)) return { w: 0, h: 0 };
      return { w: Math.max(0, r - l), h: Math.max(0, b - t) };
    }

    function isUnloadedImage(el) {
      // Image downloads are skipped while rendering: judge the <img> by its style, not its size.
      return el.tagName === "IMG" && !(el.complete && el.naturalWidth > 0);
    }

    function visible(el, rect, sx, sy) {
      if (styleHidden(el)) return false;
      if (isUnloadedImage(el)) return true;
      if (rect.width < 2 || rect.height < 2) return false; // zero size, 1px screen-reader text
      if (parseFloat(style(el).fontSize) === 0 && el.tagName !== "IMG") return false;
      // Placed off the document (left: -9999px and the like).
      if (rect.right + sx <= 0 || rect.bottom + sy <= 0) return false;
      var area = clipped(el, rect);
      return area.w >= 2 && area.h >= 2;
    }

    return { style: style, visible: visible };
  }

  function hitTest(doc, win, links) {
    // Visit links top to bottom and scroll only when the next one is out of view, centring it as
    // a reader would; at the end of the page the browser clamps the scroll, which is exactly
    // where a fixed bottom banner covers the footer.
    var vh = win.innerHeight, vw = win.innerWidth, hits = 0;
    links.sort(function (a, b) { return a.y - b.y; });
    for (var i = 0; i < links.length; i++) {
      var item = links[i];
      var el = item.el;
      var rects = el.getClientRects();
      var r = rects.length ? rects[0] : el.getBoundingClientRect();
      var cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      if (cy < 0 || cy >= vh || cx < 0 || cx >= vw) {
        win.scrollTo(Math.max(0, item.x - vw / 2), Math.max(0, item.y - vh / 2));
        rects = el.getClientRects();
        r = rects.length ? rects[0] : el.getBoundingClientRect();
        cx = r.left + r.width / 2;
        cy = r.top + r.height / 2;
      }
      var at = doc.elementFromPoint(cx, cy);
      var ok = !!at && (at === el || el.contains(at));
      el.setAttribute(ATTR_HIT, ok ? "1" : "0");
      if (ok) hits++;
    }
    return hits;
  }

  function probe(doc) {
    doc = doc || root.document;
    var win = doc.defaultView || root;
    var start = Date.now();
    var sx0 = win.scrollX, sy0 = win.scrollY;
    var html = doc.documentElement;
    var body = doc.body;
    var docW = Math.max(html.scrollWidth, body ? body.scrollWidth : 0, html.clientWidth);
    var docH = Math.max(html.scrollHeight, body ? body.scrollHeight : 0, html.clientHeight);
    html.setAttribute(ATTR_DOC, [docW, docH, win.innerWidth, win.innerHeight].join(","));

    var facts = make(doc, win);
    var els = targets(doc);
    var links = [];
    var shown = 0;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var rect = el.getBoundingClientRect();
      var x = rect.left + win.scrollX, y = rect.top + win.scrollY;
      var isVisible = facts.visible(el, rect, win.scrollX, win.scrollY);
      el.setAttribute(ATTR_VISIBLE, isVisible ? "1" : "0");
      el.setAttribute(ATTR_BOX, [round(x), round(y), round(rect.width), round(rect.height)].join(","));
      if (isVisible) shown++;
      if (el.tagName === "A") {
        if (isVisible) links.push({ el: el, x: x + rect.width / 2, y: y + rect.height / 2 });
        else el.setAttribute(ATTR_HIT, "0");
      }
    }
    var hits = hitTest(doc, win, links);
    win.scrollTo(sx0, sy0);
    return { annotated: els.length, visible: shown, links: links.length, hits: hits,
             ms: Date.now() - start };
  }

  root.footerAuditLayoutProbe = probe;
  return probe(root.document);
})(globalThis);
