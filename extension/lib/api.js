// Calls to the footer-audit server (`footer-audit serve`): every request carries the bearer
// token, and every failure becomes an ApiError whose `kind` the popup turns into a message.

import { loadSettings } from "./settings.js";

export const API_PREFIX = "/api/v1";

export class ApiError extends Error {
  // kind: "no_token" | "unreachable" | "unauthorized" (401) | "forbidden" (403) | "http"
  constructor(kind, { status = null, detail = "", backend = "" } = {}) {
    super(detail || kind);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.detail = detail;
    this.backend = backend;
  }

  toJSON() {
    return { kind: this.kind, status: this.status, detail: this.detail, backend: this.backend };
  }
}

// An ApiError sent through chrome.runtime messaging arrives as a plain object: rebuild it.
export function errorFrom(value) {
  if (value instanceof ApiError) return value;
  const v = value || {};
  return new ApiError(v.kind || "http", { status: v.status ?? null, detail: v.detail || "",
                                          backend: v.backend || "" });
}

// The problem details (RFC 9457) of an error answer, as one line.
async function problemDetail(response) {
  try {
    const body = await response.clone().json();
    const parts = [body.title, body.detail].filter((p) => typeof p === "string" && p);
    if (parts.length) return [...new Set(parts)].join(": ");
  } catch (_) {
    // not JSON: fall through to the text
  }
  try {
    return (await response.text()).slice(0, 300).trim();
  } catch (_) {
    return "";
  }
}

// fetch() against the configured server. `path` starts with "/api/v1/...". Returns the Response
// of a successful request; throws ApiError otherwise.
export async function apiFetch(path, { method = "GET", body, accept = "application/json",
                                      signal, settings } = {}) {
  const { backend, token } = settings || (await loadSettings());
  if (!token) throw new ApiError("no_token", { backend });
  const headers = { Authorization: `Bearer ${token}`, Accept: accept };
  const init = { method, headers, signal, credentials: "omit", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(backend + path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    // A refused connection, a DNS failure, a CORS refusal: fetch tells them apart from nothing.
    throw new ApiError("unreachable", { detail: String(err && err.message || err), backend });
  }
  if (response.ok) return response;
  const detail = await problemDetail(response);
  const kind = response.status === 401 ? "unauthorized"
    : response.status === 403 ? "forbidden" : "http";
  throw new ApiError(kind, { status: response.status, detail, backend });
}

export async function apiJson(path, options = {}) {
  const response = await apiFetch(path, options);
  return response.json();
}
