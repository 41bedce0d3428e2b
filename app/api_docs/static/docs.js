// Renders /api/openapi.json as a list of operations grouped by tag. No framework, no CDN.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function resolve(doc, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return {name, schema: (doc.components.schemas || {})[name] || {}};
  }
  return {name: null, schema};
}

function schemaBlock(doc, schema) {
  if (!schema) return null;
  const {name, schema: body} = resolve(doc, schema);
  return el("div", {}, name ? el("p", {class: "muted"}, "Schema ", el("code", {}, name)) : null,
            el("pre", {}, JSON.stringify(body, null, 2)));
}

function operation(doc, path, method, op, shared) {
  const params = [...(shared || []), ...(op.parameters || [])];
  const body = op.requestBody && op.requestBody.content &&
    op.requestBody.content["application/json"];
  const responses = Object.entries(op.responses || {});
  return el("details", {"data-search": `${method} ${path} ${(op.tags || []).join(" ")} ${op.summary || ""}`.toLowerCase()},
    el("summary", {}, el("span", {class: `method ${method}`}, method.toUpperCase()), " ",
       el("code", {}, path), " ", el("span", {class: "muted"}, op.summary || "")),
    el("div", {},
      op.description ? el("p", {}, op.description) : null,
      op.security && op.security.length === 0 ? el("p", {}, "No sign-in needed.") : null,
      params.length ? el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "")),
        params.map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.in),
                                   el("td", {}, p.description || "")))) : null,
      body ? el("div", {}, el("h4", {}, "Request body"), schemaBlock(doc, body.schema)) : null,
      el("h4", {}, "Responses"),
      el("table", {}, responses.map(([code, r]) => el("tr", {}, el("td", {}, el("code", {}, code)),
                                                      el("td", {}, r.description || "")))),
    ));
}

function render(doc) {
  document.getElementById("title").textContent = doc.info.title;
  document.getElementById("intro").append(el("pre", {}, doc.info.description || ""));
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      if (!item[method]) continue;
      const tag = (item[method].tags || ["other"])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(doc, path, method, item[method], item.parameters));
    }
  }
  const target = document.getElementById("operations");
  target.replaceChildren(...[...byTag.entries()].map(([tag, ops]) =>
    el("section", {}, el("h2", {}, tag), ops)));
}

document.getElementById("filter").addEventListener("input", (event) => {
  const words = event.target.value.toLowerCase().trim();
  for (const node of document.querySelectorAll("details[data-search]")) {
    node.hidden = words !== "" && !node.dataset.search.includes(words);
  }
});

fetch("/api/openapi.json", {credentials: "same-origin"})
  .then((r) => r.json()).then(render)
  .catch((err) => { document.getElementById("operations").textContent = `Could not load the document: ${err}`; });
