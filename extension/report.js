// Opens a stored run's HTML report. The server wants the bearer token, which a plain link cannot
// send: this page fetches the report with it and shows the self-contained page it gets.

import { API_PREFIX, apiFetch } from "./lib/api.js";
import { errorMessage } from "./lib/i18n.js";
import { loadSettings } from "./lib/settings.js";

async function main() {
  const settings = await loadSettings();
  const run = new URLSearchParams(location.search).get("run") || "";
  const message = document.getElementById("message");
  try {
    const response = await apiFetch(
      `${API_PREFIX}/runs/${encodeURIComponent(run)}/export?format=html`,
      { accept: "text/html", settings });
    const blob = new Blob([await response.arrayBuffer()], { type: "text/html;charset=utf-8" });
    // The report replaces this page; the blob stays this extension's, in this tab.
    location.replace(URL.createObjectURL(blob));
  } catch (err) {
    message.textContent = err.kind ? errorMessage(err, settings.lang) : String(err);
    message.dataset.kind = "error";
  }
}

main();
