// The extension's own words, in Chinese and English. The audit's messages and fixes come from
// the server in both languages; `lang` only decides which one leads.

const STRINGS = {
  zh: {
    checking: "正在检查本页页脚…",
    verdict_error: (n) => `${n} 个错误`,
    verdict_pass: "页脚合规，无错误",
    verdict_review: "需要人工复核",
    status: "状态",
    marks: "找到的标识",
    no_marks: "页面上没有找到备案标识",
    icp: "ICP 备案号",
    gongan: "公安备案",
    copyright: "版权信息",
    licences: "许可证",
    linked: "已链接",
    not_linked: "未链接",
    badge: "有徽标",
    no_badge: "无徽标",
    hidden: "不可见",
    violations: "违规",
    no_violations: "没有违规",
    review: "无法判断",
    fix: "修改",
    severity: { error: "错误", warning: "警告", info: "提示" },
    highlight: "在页面上标出",
    highlight_none: "没有可标出的位置",
    highlight_missing: (n) => `${n} 处在页面上找不到`,
    snippet: "复制合规页脚",
    snippet_copied: "已复制合规页脚",
    snippet_shown: "合规页脚如下（无法写入剪贴板，请手动复制）",
    site: "全站抓取",
    site_none: "这个网站还没有抓取记录",
    site_last: (when, n) => `${when}：${n} 个违规`,
    today: "今天",
    yesterday: "昨天",
    just_now: "刚刚",
    minutes_ago: (m) => `${m} 分钟前`,
    last_night: "昨晚",
    days_ago: (d) => `${d} 天前`,
    crawl: "抓取整个网站",
    crawl_queued: "已排队…",
    crawl_progress: (p, v) => `已检查 ${p} 个页面，${v} 个违规`,
    crawl_done: (p, v) => `完成：${p} 个页面，${v} 个违规`,
    crawl_failed: "抓取失败",
    report: "查看报告",
    options: "设置",
    err_no_token: "还没有设置访问令牌：请在设置中填写服务器地址和令牌。",
    err_unreachable: (b, o) => `无法连接 footer-audit 服务器 ${b}：请确认 footer-audit serve 正在运行，且地址正确；` +
      `不在本机的服务器须以 --allow-origin ${o} 允许本扩展，或在设置中保存其地址并授予访问权限。`,
    err_unauthorized: "服务器拒绝了访问令牌（401）：请在设置中填写有效的令牌（footer-audit token create）。",
    err_forbidden: "令牌已被吊销或没有此操作的权限（403）：请使用有相应权限的令牌。",
    err_page: "无法读取此页面：浏览器内部页面和扩展商店不允许扩展访问。",
    err_too_large: "页面太大，无法从浏览器发送；请在服务器上运行 footer-audit check。",
    err_http: (s) => `服务器返回错误 ${s}`,
    save: "保存",
    saved: "已保存",
    test: "测试连接",
    test_ok: "连接成功，令牌有效",
    backend: "服务器地址",
    token: "访问令牌",
    lang: "语言",
    hint_backend: "footer-audit serve 的地址。本机（127.0.0.1、localhost）的服务器无需授权；其他服务器在保存时请求访问权限。",
    hint_origin: "其他服务器也可以这样允许本扩展：",
    bad_backend: "服务器地址无效：请填写 http:// 或 https:// 开头的地址",
    permission_denied: "没有获得访问该服务器的权限；也可以让服务器以 --allow-origin 允许本扩展。",
  },
  en: {
    checking: "Checking this page's footer…",
    verdict_error: (n) => `${n} error${n === 1 ? "" : "s"}`,
    verdict_pass: "Compliant footer, no errors",
    verdict_review: "Needs review",
    status: "Status",
    marks: "Marks found",
    no_marks: "No filing marks found on the page",
    icp: "ICP number",
    gongan: "公安 filing",
    copyright: "Copyright",
    licences: "Licences",
    linked: "linked",
    not_linked: "not linked",
    badge: "badge",
    no_badge: "no badge",
    hidden: "hidden",
    violations: "Violations",
    no_violations: "No violations",
    review: "Could not decide",
    fix: "Fix",
    severity: { error: "error", warning: "warning", info: "info" },
    highlight: "Highlight on page",
    highlight_none: "Nothing to highlight",
    highlight_missing: (n) => `${n} not found on the page`,
    snippet: "Copy the compliant footer",
    snippet_copied: "Compliant footer copied",
    snippet_shown: "The compliant footer (the clipboard refused it: copy it by hand)",
    site: "Site crawl",
    site_none: "No crawl of this site yet",
    site_last: (when, n) => `${when}: ${n} violation${n === 1 ? "" : "s"}`,
    today: "today",
    yesterday: "yesterday",
    just_now: "just now",
    minutes_ago: (m) => `${m} min ago`,
    last_night: "last night",
    days_ago: (d) => `${d} days ago`,
    crawl: "Crawl this site",
    crawl_queued: "Queued…",
    crawl_progress: (p, v) => `${p} pages checked, ${v} violations`,
    crawl_done: (p, v) => `Done: ${p} pages, ${v} violations`,
    crawl_failed: "The crawl failed",
    report: "Open the report",
    options: "Options",
    err_no_token: "No API token yet: set the server address and a token in the options.",
    err_unreachable: (b, o) => `Cannot reach the footer-audit server at ${b}: is footer-audit serve running at that ` +
      `address? A server on another machine must allow this extension (--allow-origin ${o}), or be saved in the ` +
      "options with access granted.",
    err_unauthorized: "The server refused the token (401): set a valid token in the options (footer-audit token create).",
    err_forbidden: "The token was revoked or lacks the scope for this (403): use a token with that scope.",
    err_page: "This page cannot be read: browser pages and the extension store are closed to extensions.",
    err_too_large: "The page is too large to send from the browser; run footer-audit check on the server.",
    err_http: (s) => `The server answered with an error ${s}`,
    save: "Save",
    saved: "Saved",
    test: "Test the connection",
    test_ok: "Connected, the token is valid",
    backend: "Server address",
    token: "API token",
    lang: "Language",
    hint_backend: "Where footer-audit serve runs. A server on this machine (127.0.0.1, localhost) needs no permission; another asks for access to it when you save.",
    hint_origin: "A server elsewhere can also let this extension in:",
    bad_backend: "Not a server address: give one starting with http:// or https://",
    permission_denied: "No permission to reach that server; the server can also allow this extension with --allow-origin.",
  },
};

export function strings(lang) {
  return STRINGS[lang === "en" ? "en" : "zh"];
}

// chrome-extension://ID: what `footer-audit serve --allow-origin` needs to let this extension in.
function extensionOrigin() {
  return `chrome-extension://${globalThis.chrome && chrome.runtime ? chrome.runtime.id : "ID"}`;
}

// One line for an ApiError (or its plain-object form), in the chosen language.
export function errorMessage(error, lang) {
  const t = strings(lang);
  switch (error.kind) {
    case "no_token": return t.err_no_token;
    case "unreachable": return t.err_unreachable(error.backend || "", extensionOrigin());
    case "unauthorized": return t.err_unauthorized;
    case "forbidden": return t.err_forbidden;
    case "page": return t.err_page;
    case "too_large": return t.err_too_large;
    default: return t.err_http(error.status ?? "") + (error.detail ? `: ${error.detail}` : "");
  }
}
