// The options page: the server address, the API token and the language, kept in
// chrome.storage.local. Saving a server other than 127.0.0.1 or localhost asks for a host
// permission for that server only (the click on Save is the user gesture Chrome requires).

import { API_PREFIX, apiFetch } from "./lib/api.js";
import { errorMessage, strings } from "./lib/i18n.js";
import { loadSettings, normaliseBackend, originPattern, saveSettings } from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

function translate(lang) {
  const t = strings(lang);
  for (const node of document.querySelectorAll("[data-t]")) {
    if (typeof t[node.dataset.t] === "string") node.textContent = t[node.dataset.t];
  }
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  return t;
}

function say(kind, text) {
  $("message").dataset.kind = kind;
  $("message").textContent = text;
}

// Host permission for the server. request() comes first, with no await before it, so it still
// runs in the click's user gesture; it answers true at once when the permission is held already
// (127.0.0.1 and localhost, from the manifest).
async function ensurePermission(backend) {
  const origins = [originPattern(backend)];
  try {
    return await chrome.permissions.request({ origins });
  } catch (_) {
    return chrome.permissions.contains({ origins });
  }
}

async function save(event) {
  event.preventDefault();
  const lang = $("lang").value;
  const t = translate(lang);
  let backend;
  try {
    backend = normaliseBackend($("backend").value);
  } catch (_) {
    say("error", t.bad_backend);
    return;
  }
  // Ask first: the permission prompt needs the click's user gesture, before any await of storage.
  const allowed = await ensurePermission(backend);
  await saveSettings({ backend, token: $("token").value, lang });
  $("backend").value = backend;
  say(allowed ? "ok" : "error", allowed ? t.saved : `${t.saved}. ${t.permission_denied}`);
}

async function testConnection() {
  const lang = $("lang").value;
  const t = strings(lang);
  try {
    const settings = { backend: normaliseBackend($("backend").value), token: $("token").value.trim() };
    // Any authenticated read answers whether the server is there and takes the token.
    await apiFetch(`${API_PREFIX}/runs?limit=1`, { settings });
    say("ok", t.test_ok);
  } catch (err) {
    say("error", err.kind ? errorMessage(err, lang) : t.bad_backend);
  }
}

async function main() {
  const settings = await loadSettings();
  $("backend").value = settings.backend;
  $("token").value = settings.token;
  $("lang").value = settings.lang;
  translate(settings.lang);
  $("origin-hint").textContent = `footer-audit serve --allow-origin ${location.origin}`;
  $("options").addEventListener("submit", save);
  $("test").addEventListener("click", () => testConnection());
  $("lang").addEventListener("change", () => translate($("lang").value));
}

main();
