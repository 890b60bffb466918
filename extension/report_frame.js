// A sandboxed page (manifest "sandbox"): its origin is unique, it sees no chrome.* API and no
// token. report.html hands it the report's HTML, which it shows in place of itself, so the
// report's own filter and sort script runs here and nowhere near the extension's privileges.
window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data || typeof event.data.html !== "string") return;
  document.open();
  document.write(event.data.html);
  document.close();
});
window.parent.postMessage({ ready: true }, "*");
