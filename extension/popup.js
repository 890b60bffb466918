// The popup: audits the tab on open (the toolbar click granted activeTab), shows the verdict,
// the marks and the violations with their fixes, highlights them on the page, copies the
// compliant footer, shows the site's last crawl and starts a crawl of the whole site.
//
// popup.html?tab=ID audits that tab instead of the active one: the same code path for a page
// opened outside the toolbar (an automated test cannot click the toolbar of a headless browser).

import { API_PREFIX, apiFetch, apiJson, errorFrom } from "./lib/api.js";
import { errorMessage, strings } from "./lib/i18n.js";
import { loadSettings } from "./lib/settings.js";
import { readEvents } from "./lib/sse.js";
import { errorCount, highlightItems, verdictOf } from "./lib/verdict.js";

// A crawl job's states after which nothing changes any more (crawler/jobs/model.py).
export const FINAL_STATES = new Set(["finished", "failed", "cancelled"]);
const FAILED_STATES = new Set(["failed", "cancelled"]);
const POLL_MS = 1000;

const $ = (id) => document.getElementById(id);
const state = { settings: null, t: null, tabId: null, url: null, host: null, result: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function translatePage() {
  for (const node of document.querySelectorAll("[data-t]")) {
    const value = state.t[node.dataset.t];
    if (typeof value === "string") node.textContent = value;
  }
  document.documentElement.lang = state.settings.lang === "en" ? "en" : "zh-CN";
}

function showError(error) {
  const box = $("error");
  box.textContent = errorMessage(errorFrom(error), state.settings.lang);
  box.hidden = false;
}

async function targetTab() {
  const param = new URLSearchParams(location.search).get("tab");
  if (param && /^\d+$/.test(param)) return Number(param);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : null;
}

// ---- the audit --------------------------------------------------------------------------

function setVerdict(verdict, text, status = "") {
  $("verdict").dataset.verdict = verdict;
  $("verdict-text").textContent = text;
  $("status").textContent = status;
}

// A fix is prose, often ending with the HTML to use: the prose as text, the HTML as code.
function fixParts(text) {
  const at = String(text || "").search(/<[a-z!]/i);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at)];
}

function renderViolation(v) {
  const zhFirst = state.settings.lang !== "en";
  const main = zhFirst ? v.message_zh : v.message;
  const other = zhFirst ? v.message : v.message_zh;
  const [fixMain, sample] = fixParts(zhFirst ? v.fix_zh : v.fix);
  const [fixOther] = fixParts(zhFirst ? v.fix : v.fix_zh);
  const fix = el("div", { class: "fix" }, el("strong", {}, `${state.t.fix}: `), fixMain);
  if (fixOther && fixOther !== fixMain) fix.append(" ", el("span", { class: "msg-other" }, fixOther));
  if (sample) fix.append(el("code", {}, sample));
  return el("li", { class: `violation sev-${v.severity}`, "data-code": v.code },
    el("div", {}, el("span", { class: "sev" }, state.t.severity[v.severity] || v.severity), el("span", { class: "msg-main" }, main),
       " ", el("span", { class: "msg-other" }, other)),
    el("div", { class: "code" }, v.code + (v.evidence ? ` · ${v.evidence}` : "")),
    (v.fix || v.fix_zh) ? fix : null);
}

function flag(ok, yes, no) {
  return el("span", { class: ok ? "flag" : "flag bad" }, ok ? yes : no);
}

function renderMarks(findings) {
  const t = state.t;
  const dl = $("marks");
  dl.replaceChildren();
  const add = (label, value) => dl.append(el("dt", {}, label), el("dd", {}, ...value));
  for (const m of findings.icp || []) {
    add(t.icp, [m.number, flag(!!m.link, t.linked, t.not_linked),
                m.visible === false ? flag(false, "", t.hidden) : null]);
  }
  for (const m of findings.gongan || []) {
    add(t.gongan, [m.number, flag(!!m.link, t.linked, t.not_linked), flag(!!m.icon, t.badge, t.no_badge)]);
  }
  for (const c of findings.copyright || []) add(t.copyright, [c.text]);
  for (const l of findings.licences || []) add(t.licences, [l.number]);
  if (!dl.children.length) dl.append(el("dd", { class: "muted" }, t.no_marks));
}

function renderAudit(result) {
  const t = state.t;
  const verdict = verdictOf(result);
  const n = errorCount(result);
  setVerdict(verdict, verdict === "error" ? t.verdict_error(n)
    : verdict === "pass" ? t.verdict_pass : t.verdict_review, `${t.status}: ${result.status}`);
  $("verdict").dataset.errors = String(n);
  const list = $("violations");
  list.replaceChildren(...(result.violations || []).map(renderViolation));
  if (!list.children.length) list.append(el("li", { class: "muted" }, t.no_violations));
  const review = result.review || [];
  $("review-title").hidden = review.length === 0;
  $("review").replaceChildren(...review.map((r) => el("li", {},
    el("span", { class: "code" }, `${r.code} · ${r.reason} `),
    state.settings.lang === "en" ? r.message : r.message_zh)));
  renderMarks(result.findings || {});
  $("audit").hidden = false;
}

async function runAudit() {
  const answer = await chrome.runtime.sendMessage({ type: "audit", tabId: state.tabId });
  if (!answer || !answer.ok) {
    setVerdict("failed", "!");
    showError(answer ? answer.error : { kind: "page" });
    return;
  }
  state.result = answer.result;
  state.url = answer.page.url;
  renderAudit(answer.result);
}

// ---- highlight and snippet --------------------------------------------------------------

function note(text) {
  $("action-note").textContent = text;
  $("action-note").hidden = !text;
}

async function highlight() {
  if (!state.result) return;
  const items = highlightItems(state.result, state.settings.lang);
  if (!items.length) return note(state.t.highlight_none);
  const answer = await chrome.runtime.sendMessage({ type: "highlight", tabId: state.tabId, items,
                                                    toggle: true });
  if (!answer || !answer.ok) return showError(answer ? answer.error : { kind: "page" });
  $("highlight").dataset.drawn = String(answer.drawn);
  note(answer.missing.length ? state.t.highlight_missing(answer.missing.length) : "");
}

async function copySnippet() {
  // {host, domain, org, icp, gongan, province, html}: the footer the rules pass, for this site.
  const { html } = await apiJson(`${API_PREFIX}/snippet?host=${encodeURIComponent(state.host)}`);
  const area = $("snippet-text");
  area.value = html;
  area.hidden = false;
  try {
    await navigator.clipboard.writeText(html);
    note(state.t.snippet_copied);
  } catch (_) {
    area.select();
    note(state.t.snippet_shown);
  }
}

// ---- the site: last crawl and a new one -------------------------------------------------

function relativeDay(iso) {
  const t = state.t;
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(new Date()) - day(when)) / 86400000);
  const hhmm = when.toTimeString().slice(0, 5);
  const minutes = Math.floor((Date.now() - when.getTime()) / 60000);
  if (minutes < 1) return t.just_now;
  if (minutes < 60) return t.minutes_ago(minutes);
  // A nightly run seen the next day: "last night" up to the next morning.
  if ((days === 0 && when.getHours() < 6) || (days === 1 && when.getHours() >= 18)) return t.last_night;
  if (days === 0) return `${t.today} ${hhmm}`;
  if (days === 1) return `${t.yesterday} ${hhmm}`;
  return `${t.days_ago(days)} (${when.toISOString().slice(0, 10)})`;
}

function countOf(value) {
  if (Array.isArray(value)) return value.length;
  return Number.isFinite(value) ? value : 0;
}

async function showSite() {
  let site;
  try {
    site = await apiJson(`${API_PREFIX}/sites/${encodeURIComponent(state.host)}`);
  } catch (err) {
    if (err.status === 404) {
      $("site-last").textContent = state.t.site_none;
      return;
    }
    $("site-last").textContent = errorMessage(err, state.settings.lang);
    return;
  }
  // {site, latest: {run, pages, counts: {error, warning, info}, violations}, history} or
  // latest null when no stored run audited the site.
  const latest = site.latest;
  if (!latest) {
    $("site-last").textContent = state.t.site_none;
    return;
  }
  const run = latest.run || {};
  const counts = latest.counts || {};
  const open = Object.values(counts).reduce((a, b) => a + countOf(b), 0);
  $("site-last").textContent = state.t.site_last(relativeDay(run.finished || run.started), open);
  if (run.id) $("site-last").dataset.run = run.id;
}

function showJob(job) {
  const t = state.t;
  const pages = job.pages_done || 0;
  const found = countOf(job.violations);
  const text = $("crawl-progress");
  text.hidden = false;
  $("crawl-bar").hidden = FINAL_STATES.has(job.state);
  $("crawl").disabled = !FINAL_STATES.has(job.state);
  text.dataset.state = job.state;
  if (FAILED_STATES.has(job.state)) {
    text.textContent = t.crawl_failed + (job.error ? `: ${job.error}` : "");
  } else if (FINAL_STATES.has(job.state)) {
    text.textContent = t.crawl_done(pages, found);
  } else if (!pages && job.state === "queued") {
    text.textContent = t.crawl_queued;
  } else {
    text.textContent = t.crawl_progress(pages, found);
  }
  if (job.run_id && FINAL_STATES.has(job.state)) {
    const link = $("crawl-report");
    link.href = chrome.runtime.getURL(`report.html?run=${encodeURIComponent(job.run_id)}`);
    link.dataset.run = job.run_id;
    link.hidden = false;
  }
}

// Follows a crawl to its end: its event stream, or polling where the stream is not available.
async function followCrawl(job) {
  const key = `crawl:${state.host}`;
  showJob(job);
  let last = job;
  if (!FINAL_STATES.has(last.state)) {
    try {
      const response = await apiFetch(`${API_PREFIX}/crawls/${encodeURIComponent(job.id)}/events`,
                                       { accept: "text/event-stream" });
      await readEvents(response, (event) => {
        let data;
        try { data = JSON.parse(event.data); } catch (_) { return; }
        if (data && typeof data === "object" && data.state) {
          last = { ...last, ...data };
          showJob(last);
          $("crawl-progress").dataset.via = "events";
        }
      });
    } catch (err) {
      if (err.kind === "unauthorized" || err.kind === "forbidden") throw err;
    }
  }
  while (!FINAL_STATES.has(last.state)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    last = await apiJson(`${API_PREFIX}/crawls/${encodeURIComponent(job.id)}`);
    showJob(last);
    $("crawl-progress").dataset.via = "polling";
  }
  await chrome.storage.session.remove(key);
  if (!FAILED_STATES.has(last.state)) showSite().catch(() => {});
  return last;
}

async function startCrawl() {
  $("crawl").disabled = true;
  try {
    const site = new URL(state.url).origin + "/";
    const job = await apiJson(`${API_PREFIX}/crawls`, { method: "POST", body: { site } });
    await chrome.storage.session.set({ [`crawl:${state.host}`]: job.id });
    await followCrawl(job);
  } catch (err) {
    $("crawl").disabled = false;
    showError(err);
  }
}

// A crawl started from an earlier popup of this site keeps running on the server: follow it.
async function resumeCrawl() {
  const key = `crawl:${state.host}`;
  const { [key]: id } = await chrome.storage.session.get(key);
  if (!id) return;
  const job = await apiJson(`${API_PREFIX}/crawls/${encodeURIComponent(id)}`);
  await followCrawl(job);
}

// ---- start ------------------------------------------------------------------------------

function guard(fn) {
  return () => fn().catch(showError);
}

async function main() {
  state.settings = await loadSettings();
  state.t = strings(state.settings.lang);
  translatePage();
  $("open-options").addEventListener("click", (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  $("highlight").addEventListener("click", guard(highlight));
  $("copy-snippet").addEventListener("click", guard(copySnippet));
  $("crawl").addEventListener("click", guard(startCrawl));
  state.tabId = await targetTab();
  if (state.tabId === null) return showError({ kind: "page" });
  await runAudit();
  if (!state.url) {
    $("site").hidden = true;
    return;
  }
  state.host = new URL(state.url).hostname;
  $("host").textContent = state.host;
  await Promise.all([showSite().catch(() => {}), resumeCrawl().catch(showError)]);
}

main().catch(showError);
