// The extension's settings: the footer-audit server, the API token and the language.
// Kept in chrome.storage.local (never .sync: the token must not travel to other devices).

export const DEFAULTS = Object.freeze({
  backend: "http://127.0.0.1:8787",
  token: "",
  lang: "zh",
});

export async function loadSettings() {
  const stored = await chrome.storage.local.get(Object.keys(DEFAULTS));
  return { ...DEFAULTS, ...stored };
}

export async function saveSettings(values) {
  const clean = {};
  if (values.backend !== undefined) clean.backend = normaliseBackend(values.backend);
  if (values.token !== undefined) clean.token = String(values.token).trim();
  if (values.lang !== undefined) clean.lang = values.lang === "en" ? "en" : "zh";
  await chrome.storage.local.set(clean);
  return clean;
}

// "127.0.0.1:8000/" -> "http://127.0.0.1:8000"; throws on anything that is not http(s).
export function normaliseBackend(text) {
  let value = String(text || "").trim();
  if (!value) throw new Error("empty");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = "http://" + value;
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
  return url.origin + url.pathname.replace(/\/+$/, "");
}

// The match pattern a host permission for this backend needs ("https://audit.example.cn/*").
export function originPattern(backend) {
  const url = new URL(backend);
  return `${url.protocol}//${url.hostname}/*`;
}
