// Opens a stored run's HTML report. The server wants the bearer token, which a plain link cannot
// send: this page fetches the report with it and shows it in a sandboxed frame
// (report_frame.html: a unique origin, no extension API, no token), where its scripts may run.

import { API_PREFIX, apiFetch } from "./lib/api.js";
import { errorMessage } from "./lib/i18n.js";
import { loadSettings } from "./lib/settings.js";

const frame = document.getElementById("report");
const message = document.getElementById("message");

// The frame says when it listens; the report waits for that.
const frameReady = new Promise((resolve) => {
  window.addEventListener("message", (event) => {
    if (event.source === frame.contentWindow && event.data && event.data.ready) resolve();
  });
});

async function main() {
  const settings = await loadSettings();
  const run = new URLSearchParams(location.search).get("run") || "";
  try {
    const response = await apiFetch(
      `${API_PREFIX}/runs/${encodeURIComponent(run)}/export?format=html`,
      { accept: "text/html", settings });
    const html = await response.text();
    await frameReady;
    // The sandboxed frame's origin is opaque ("null"): "*" is the only target that reaches it.
    frame.contentWindow.postMessage({ html }, "*");
    const title = /<title>([^<]*)<\/title>/i.exec(html);
    if (title) document.title = title[1];
    message.hidden = true;
    frame.hidden = false;
  } catch (err) {
    message.textContent = err.kind ? errorMessage(err, settings.lang) : String(err);
    message.dataset.kind = "error";
  }
}

main();
