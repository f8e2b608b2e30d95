// The interactive API docs at /v1/docs: one self-contained page (no CDN, works offline) that renders the OpenAPI
// document embedded in it. Japanese first, English second. A strict CSP allows only this page's own script.
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

const style = `
body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;color:#1f2328;background:#f6f8fa;line-height:1.5}
header{background:#8b1e3f;color:#fff;padding:16px 24px}header h1{margin:0;font-size:1.4rem}header p{margin:4px 0 0;opacity:.9}a.light{color:#fff}
main{max-width:1100px;margin:0 auto;padding:16px}nav{margin:8px 0 16px}nav input{width:100%;padding:8px;font-size:1rem;box-sizing:border-box}
details.op{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:8px 0}details.op>summary{cursor:pointer;padding:10px 12px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.m{font-weight:700;font-family:ui-monospace,monospace;padding:2px 8px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.get{background:#1f6feb}.post{background:#1a7f37}.put,.patch{background:#9a6700}.delete{background:#cf222e}
code,.path{font-family:ui-monospace,monospace}.path{font-weight:600}.role{display:inline-block;background:#ddf4ff;color:#0550ae;border-radius:10px;padding:0 8px;margin:0 4px 0 0;font-size:.85rem}
.role.public{background:#dafbe1;color:#116329}.body{padding:0 16px 12px}h3{font-size:1rem;margin:14px 0 6px}
ul.schema{list-style:none;padding-left:16px;margin:2px 0;border-left:2px solid #eaeef2}ul.schema li{margin:2px 0}.t{color:#8250df;font-family:ui-monospace,monospace}
.req{color:#cf222e;font-size:.8rem}.c{color:#57606a;font-size:.9rem}table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
`;

const script = `
(function () {
  var doc = JSON.parse(document.getElementById("openapi").textContent);
  var root = document.getElementById("ops");
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function typeOf(s) {
    if (!s) return "any";
    if (s.$ref) return s.$ref.split("/").pop();
    if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(" | ");
    if (Array.isArray(s.type)) return s.type.join(" | ");
    if (s.type === "array") return "array<" + typeOf(s.items) + ">";
    return s.type || "any";
  }
  function notes(s) {
    var n = [];
    if (!s) return "";
    if (s.pattern) n.push("pattern " + s.pattern);
    if (s.minimum !== undefined) n.push("≥ " + s.minimum);
    if (s.maximum !== undefined) n.push("≤ " + s.maximum);
    if (s.minItems !== undefined) n.push("min " + s.minItems + " items");
    if (s.maxItems !== undefined) n.push("max " + s.maxItems + " items");
    if (s.maxLength !== undefined) n.push("max length " + s.maxLength);
    if (s["default"] !== undefined) n.push("default " + JSON.stringify(s["default"]));
    if (s.format) n.push(s.format);
    return n.join(", ");
  }
  function objectOf(s) {
    if (!s) return null;
    if (s.type === "object" && s.properties) return s;
    if (s.type === "array") return objectOf(s.items);
    if (s.anyOf) { for (var i = 0; i < s.anyOf.length; i++) { var o = objectOf(s.anyOf[i]); if (o) return o; } }
    return null;
  }
  function schemaTree(s, depth) {
    var obj = objectOf(s);
    if (!obj || depth > 6) return el("span", { "class": "t" }, [typeOf(s)]);
    var list = el("ul", { "class": "schema" });
    Object.keys(obj.properties).forEach(function (name) {
      var p = obj.properties[name];
      var required = (obj.required || []).indexOf(name) >= 0;
      var li = el("li", {}, [el("code", {}, [name]), " ", el("span", { "class": "t" }, [typeOf(p)])]);
      if (required) li.appendChild(el("span", { "class": "req" }, [" 必須 required"]));
      var n = notes(p);
      if (p.description || n) li.appendChild(el("div", { "class": "c" }, [(p.description || "") + (p.description && n ? " — " : "") + n]));
      if (objectOf(p)) li.appendChild(schemaTree(p, depth + 1));
      list.appendChild(li);
    });
    return list;
  }
  function contentSchema(c) {
    if (!c) return null;
    var k = Object.keys(c)[0];
    return k ? c[k].schema : null;
  }
  var count = 0;
  Object.keys(doc.paths).forEach(function (path) {
    Object.keys(doc.paths[path]).forEach(function (method) {
      var op = doc.paths[path][method];
      count++;
      var roles = (op["x-roles"] || []).map(function (r) { return el("span", { "class": "role" + (r === "public" ? " public" : "") }, [r === "public" ? "公開 public" : r]); });
      var summary = el("summary", {}, [el("span", { "class": "m " + method }, [method.toUpperCase()]), el("span", { "class": "path" }, [path]), el("span", {}, [op.summary || ""])]);
      var body = el("div", { "class": "body" });
      body.appendChild(el("h3", {}, ["権限 Roles"]));
      body.appendChild(el("div", {}, roles));
      if (op.description) body.appendChild(el("p", {}, [op.description]));
      if (op.parameters) {
        body.appendChild(el("h3", {}, ["パラメータ Parameters"]));
        var ul = el("ul", { "class": "schema" });
        op.parameters.forEach(function (p) {
          var li = el("li", {}, [el("code", {}, [p.name]), " (" + p["in"] + ") ", el("span", { "class": "t" }, [typeOf(p.schema)])]);
          if (p.required) li.appendChild(el("span", { "class": "req" }, [" 必須 required"]));
          var n = notes(p.schema);
          if (p.description || n) li.appendChild(el("div", { "class": "c" }, [(p.description || "") + (p.description && n ? " — " : "") + n]));
          ul.appendChild(li);
        });
        body.appendChild(ul);
      }
      if (op.requestBody) {
        body.appendChild(el("h3", {}, ["リクエスト本文 Request body"]));
        body.appendChild(schemaTree(contentSchema(op.requestBody.content), 0));
      }
      body.appendChild(el("h3", {}, ["レスポンス Responses"]));
      Object.keys(op.responses).forEach(function (status) {
        var r = op.responses[status];
        var codes = r["x-problem-codes"];
        var head = el("div", {}, [el("strong", {}, [status]), " "]);
        if (codes) codes.forEach(function (code, i) { head.appendChild(el("a", { href: "#problem-" + code }, [el("code", {}, [code])])); if (i < codes.length - 1) head.appendChild(document.createTextNode(", ")); });
        else head.appendChild(document.createTextNode(r.description));
        body.appendChild(head);
        var s = contentSchema(r.content);
        if (s && !codes) body.appendChild(schemaTree(s, 0));
      });
      var d = el("details", { "class": "op", "data-search": (method + " " + path + " " + (op.summary || "") + " " + (op["x-roles"] || []).join(" ")).toLowerCase() }, [summary, body]);
      root.appendChild(d);
    });
  });
  var table = document.getElementById("problems");
  Object.keys(doc["x-problem-codes"] || {}).forEach(function (code) {
    var p = doc["x-problem-codes"][code];
    table.appendChild(el("tr", { id: "problem-" + code }, [el("td", {}, [el("code", {}, [code])]), el("td", {}, [String(p.status)]), el("td", {}, [p.title])]));
  });
  document.getElementById("count").textContent = String(count);
  document.getElementById("filter").addEventListener("input", function (e) {
    var q = e.target.value.toLowerCase();
    Array.prototype.forEach.call(root.children, function (d) { d.style.display = d.getAttribute("data-search").indexOf(q) >= 0 ? "" : "none"; });
  });
})();
`;

function cspHash(text: string): string {
  const digest = sha256(utf8ToBytes(text));
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return `'sha256-${btoa(binary)}'`;
}

/** Only this page's own script and style may run; nothing is loaded from anywhere. */
export const docsContentSecurityPolicy = `default-src 'none'; script-src ${cspHash(script)}; style-src ${cspHash(style)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** JSON inside <script type="application/json">: `<` is escaped so no string in it can close the element. */
function embed(json: unknown): string {
  return JSON.stringify(json).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function docsPage(openApi: unknown, title: string): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — API リファレンス</title>
<style>${style}</style>
</head>
<body>
<header><h1>${title} API リファレンス</h1><p>API reference · <span id="count"></span> エンドポイント endpoints · <a class="light" href="/v1/openapi.json">openapi.json</a></p></header>
<main>
<nav><label>絞り込み Filter <input id="filter" type="search" placeholder="/v1/ledger, service, POST ..."></label></nav>
<p class="c">認証: <code>Authorization: Bearer &lt;token&gt;</code>。エラーは RFC 9457 の <code>application/problem+json</code> で、安定した <code>code</code> を持ちます。金額は整数の円です。<br>
Auth: <code>Authorization: Bearer &lt;token&gt;</code>. Errors are RFC 9457 problems with a stable <code>code</code>. Amounts are integer yen.</p>
<div id="ops"></div>
<h2>エラーコード Problem codes</h2>
<table><thead><tr><th>code</th><th>HTTP</th><th>意味 Meaning</th></tr></thead><tbody id="problems"></tbody></table>
</main>
<script type="application/json" id="openapi">${embed(openApi)}</script>
<script>${script}</script>
</body>
</html>`;
}
