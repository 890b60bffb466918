// The service worker: audits a tab when the popup asks (the popup opens on the toolbar click,
// which grants activeTab), posts what the page shows to the footer-audit server and sets the
// toolbar badge. No content script runs on pages the user did not ask about.

import { ApiError, API_PREFIX, apiJson } from "./lib/api.js";
import { serialisePage, drawHighlights } from "./lib/page_scripts.js";
import { BADGE_COLOURS, FAILED_BADGE, badgeFor } from "./lib/verdict.js";

// The server refuses bodies over 5 MB by default; JSON escaping of quotes adds to the HTML.
export const MAX_HTML_BYTES = 4 * 1024 * 1024;

async function setBadge(tabId, badge) {
  await chrome.action.setBadgeText({ tabId, text: badge.text });
  await chrome.action.setBadgeBackgroundColor({ tabId, color: badge.color });
  if (chrome.action.setBadgeTextColor) {
    await chrome.action.setBadgeTextColor({ tabId, color: "#ffffff" });
  }
}

// Runs the layout probe (the crawler's own, extension/layout_probe.js) in the tab, then reads the
// annotated DOM back. Throws ApiError("page") when the browser does not let the extension in.
async function collect(tabId) {
  let probe, page;
  try {
    [probe] = await chrome.scripting.executeScript({ target: { tabId }, files: ["layout_probe.js"] });
    [page] = await chrome.scripting.executeScript({
      target: { tabId }, func: serialisePage, args: [MAX_HTML_BYTES],
    });
  } catch (err) {
    // chrome://, the web store, PDF viewers, or a tab the extension was not given.
    throw new ApiError("page", { detail: String(err && err.message || err) });
  }
  const result = page && page.result;
  if (!result || !result.html) {
    throw new ApiError("too_large", { detail: String(result ? result.bytes : 0) });
  }
  return { url: result.url, html: result.html, layout: (probe && probe.result) || {},
           bytes: result.bytes, reduced: result.reduced };
}

export async function auditTab(tabId) {
  try {
    const page = await collect(tabId);
    const result = await apiJson(`${API_PREFIX}/audit`, {
      method: "POST", body: { url: page.url, html: page.html, layout: page.layout },
    });
    const badge = badgeFor(result);
    await setBadge(tabId, badge);
    const answer = { ok: true, result, verdict: badge.verdict, badge: badge.text,
                     page: { url: page.url, bytes: page.bytes, reduced: page.reduced } };
    await chrome.storage.session.set({ [`audit:${tabId}`]: answer });
    return answer;
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError("page", { detail: String(err) });
    await setBadge(tabId, FAILED_BADGE).catch(() => {});
    return { ok: false, error: error.toJSON() };
  }
}

async function highlight(tabId, items, toggle) {
  try {
    const [res] = await chrome.scripting.executeScript({
      target: { tabId }, func: drawHighlights,
      args: [items, { pass: BADGE_COLOURS.pass, error: BADGE_COLOURS.error }, !!toggle],
    });
    return { ok: true, ...res.result };
  } catch (err) {
    return { ok: false, error: new ApiError("page", { detail: String(err && err.message || err) }).toJSON() };
  }
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only the extension's own pages talk to the worker (no externally_connectable).
  if (sender.id !== chrome.runtime.id || !message || typeof message.type !== "string") return false;
  if (message.type === "audit") {
    auditTab(message.tabId).then(sendResponse);
    return true;
  }
  if (message.type === "highlight") {
    highlight(message.tabId, message.items || [], message.toggle).then(sendResponse);
    return true;
  }
  return false;
});

// A new page in the tab: the old verdict no longer applies.
chrome.tabs.onUpdated.addListener((tabId, changeInfo) => {
  if (changeInfo.status === "loading") {
    chrome.action.setBadgeText({ tabId, text: "" }).catch(() => {});
    chrome.storage.session.remove(`audit:${tabId}`).catch(() => {});
  }
});

chrome.tabs.onRemoved.addListener((tabId) => {
  chrome.storage.session.remove(`audit:${tabId}`).catch(() => {});
});

// The first run opens the options: nothing works before a server and a token are set.
chrome.runtime.onInstalled.addListener((details) => {
  if (details.reason === "install") chrome.runtime.openOptionsPage().catch(() => {});
});
