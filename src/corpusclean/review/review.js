// The review page's behaviour. Data comes from <script type="application/json"> elements:
// "index" (names, counts, totals) is parsed at once; "p-N" (page N's segments) only when page N
// is opened or searched. View state lives in the URL fragment: #cat=a,b&rule=ID&q=TEXT&page=NAME&kept=hide
"use strict";
(function () {
  const index = JSON.parse(document.getElementById("index").textContent);
  const categories = index.categories;            // [{name, colour}], referred to by number
  const categoryNumber = new Map(categories.map((c, i) => [c.name, i]));
  const ruleNumber = new Map(index.rules.map((r, i) => [r, i]));
  const pageNumber = new Map(index.pages.map((row, i) => [row[0], i]));
  const PAGE_STEP = 200;                            // list rows drawn at a time
  const WHITESPACE = "whitespace";
  const state = { cats: new Set(), rule: "", q: "", page: null, hideKept: false, shown: PAGE_STEP };
  let firstListed = null;                           // the list's first page: shown when the URL names none
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }
  const number = (n) => n.toLocaleString("en-US");
  const percent = (part, whole) => (whole ? (100 * part / whole).toFixed(1) : "0.0") + "%";
  const bytes = (n) => n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : n >= 1e3 ? (n / 1e3).toFixed(1) + " kB" : n + " B";

  // -- state <-> URL fragment ------------------------------------------------------------------
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    state.cats = new Set((params.get("cat") || "").split(",").filter(Boolean));
    state.rule = params.get("rule") || "";
    state.q = params.get("q") || "";
    state.page = params.has("page") ? params.get("page") : null;
    state.hideKept = params.get("kept") === "hide";
    state.shown = PAGE_STEP;
  }
  function writeHash() {
    const params = new URLSearchParams();
    if (state.cats.size) params.set("cat", [...state.cats].join(","));
    if (state.rule) params.set("rule", state.rule);
    if (state.q) params.set("q", state.q);
    if (state.page !== null) params.set("page", state.page);
    if (state.hideKept) params.set("kept", "hide");
    const hash = "#" + params.toString();
    if (hash !== location.hash) history.replaceState(null, "", hash);
  }

  // -- which removals and pages the filters select (as reviewdata.Selection does) ----------------
  function selects(category, rule) {
    if (state.cats.size ? !state.cats.has(category) : category === WHITESPACE) return false;
    return !state.rule || state.rule === rule;
  }
  function searchPattern() {
    if (!state.q) return null;
    const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // page bodies are JSON text: look for the query as JSON would write it
    const asJson = JSON.stringify(state.q).slice(1, -1).replace(/</g, "\\u003c");
    return { text: new RegExp(escape(state.q), "gi"), json: new RegExp(escape(asJson), "i") };
  }
  function pageSelected(row, i, pattern) {
    const [name, , , , byCategory, rules] = row;
    if (state.cats.size && ![...state.cats].some((c) => byCategory[categoryNumber.get(c)])) return false;
    if (state.rule && !rules.includes(ruleNumber.get(state.rule))) return false;
    if (pattern && !pattern.text.test(name)) {
      pattern.text.lastIndex = 0;
      if (!pattern.json.test(document.getElementById("p-" + i).textContent)) return false;
    }
    if (pattern) pattern.text.lastIndex = 0;
    return true;
  }

  // -- summary -------------------------------------------------------------------------------
  function drawSummary() {
    const t = index.totals, sizes = t.sizes, docs = t.documents;
    const pages = Object.values(docs).reduce((a, b) => a + b, 0);
    const fixedBytes = sizes.kept_bytes + sizes.removed_bytes;
    const cards = [
      ["Pages", number(pages), `${number(docs.ok || 0)} ok · ${number(docs.failed || 0)} failed · ${number(docs.dropped || 0)} dropped`],
      ["Input", bytes(sizes.input_bytes || 0), `${number(sizes.fixed_chars)} characters after fixing`],
      ["Kept", bytes(sizes.kept_bytes), percent(sizes.kept_bytes, fixedBytes) + " of the text"],
      ["Removed", bytes(sizes.removed_bytes), percent(sizes.removed_bytes, fixedBytes) + " of the text (blank lines aside)"],
    ];
    if (index.sample) cards.push(["Shown", `a sample of ${number(index.sample.pages)}`,
      `of ${number(index.sample.of)} pages (--sample); the figures are the whole run's`]);
    $("cards").replaceChildren(...cards.map(([label, value, note]) =>
      el("div", { class: "card" + (label === "Pages" && docs.failed ? " alert" : "") },
        label, el("b", {}, value), el("span", { class: "muted" }, note))));

    const catRows = Object.entries(t.removed_by_category).sort((a, b) => b[1].chars - a[1].chars);
    $("by-category").replaceChildren(
      el("tr", {}, el("th", {}, "category"), el("th", { class: "num" }, "removals"), el("th", { class: "num" }, "characters")),
      ...catRows.map(([name, v]) => el("tr", {},
        el("td", {}, swatch(name), el("button", { class: "link", onclick: () => update({ cats: new Set([name]), rule: "" }) }, name)),
        el("td", { class: "num" }, number(v.removals)), el("td", { class: "num" }, number(v.chars)))));

    const ruleRows = Object.entries(t.removed_by_rule).sort((a, b) => b[1].chars - a[1].chars);
    $("by-rule").replaceChildren(
      el("tr", {}, el("th", {}, "rule"), el("th", { class: "num" }, "removals"), el("th", { class: "num" }, "characters")),
      ...ruleRows.map(([rule, v]) => el("tr", {},
        el("td", {}, el("button", { class: "link", onclick: () => update({ rule: rule, cats: new Set() }) }, rule)),
        el("td", { class: "num" }, number(v.removals)), el("td", { class: "num" }, number(v.chars)))));

    $("top-pages").replaceChildren(
      el("tr", {}, el("th", {}, "page"), el("th", { class: "num" }, "removed"), el("th", { class: "num" }, "share")),
      ...index.top_pages.map((i) => {
        const [name, , fixed, removed] = index.pages[i];
        return el("tr", {}, el("td", {}, el("button", { class: "link", onclick: () => update({ page: name }) }, name)),
          el("td", { class: "num" }, number(removed)), el("td", { class: "num" }, percent(removed, fixed)));
      }));

    const failures = t.failures || [];
    $("failures-box").hidden = failures.length === 0;
    if (failures.length) $("summary-tables-label").append(`; ${number(failures.length)} failure${failures.length === 1 ? "" : "s"}`);
    $("failures").replaceChildren(...failures.map((f) => el("tr", {},
      el("td", {}, pageNumber.has(f.document)
        ? el("button", { class: "link", onclick: () => update({ page: f.document }) }, f.document) : f.document),
      el("td", { class: "error" }, f.error))));
  }
  function swatch(category) {
    const c = categories[categoryNumber.get(category)];
    return el("span", { class: "swatch", style: "background:" + (c ? c.colour : "#ddd") });
  }

  // -- controls -------------------------------------------------------------------------------
  function drawControls() {
    const counts = index.totals.removed_by_category;
    $("category-filters").replaceChildren(...categories.filter((c) => counts[c.name]).map((c) =>
      el("button", {
        class: "chip", type: "button", "data-cat": c.name, "aria-pressed": String(state.cats.has(c.name)),
        onclick: () => { const cats = new Set(state.cats); cats.has(c.name) ? cats.delete(c.name) : cats.add(c.name); update({ cats }); },
      }, swatch(c.name), c.name, el("span", { class: "count" }, number(counts[c.name].removals)))));
    const select = $("rule-filter");
    if (select.options.length === 1) {
      for (const rule of [...index.rules].sort()) select.append(el("option", { value: rule }, rule));
    }
    select.value = state.rule;
    if (document.activeElement !== $("search")) $("search").value = state.q;
    $("hide-kept").checked = state.hideKept;
  }

  // -- the page list --------------------------------------------------------------------------
  function drawList() {
    const pattern = searchPattern();
    const matches = [];
    index.pages.forEach((row, i) => { if (pageSelected(row, i, pattern)) matches.push(i); });
    const filtered = state.cats.size || state.rule || state.q;
    $("list-status").textContent = filtered
      ? `${number(matches.length)} of ${number(index.pages.length)} pages match`
      : `${number(index.pages.length)} pages`;
    // a failed page has no text to show: the first page with some
    const first = matches.find((i) => index.pages[i][1] !== "failed") ?? matches[0];
    firstListed = first === undefined ? null : index.pages[first][0];
    $("page-list").replaceChildren(...matches.slice(0, state.shown).map(listItem));
    $("more").hidden = matches.length <= state.shown;
    $("more").textContent = `Show more (${number(matches.length - Math.min(state.shown, matches.length))} left)`;
  }
  function listItem(i) {
    const [name, status, fixed, removed, byCategory] = index.pages[i];
    const bar = el("div", { class: "bar", "aria-hidden": "true" }, ...Object.entries(byCategory).map(([c, n]) =>
      el("span", { style: `background:${categories[c].colour};flex:${n}` })));
    const share = status === "ok" ? percent(removed, fixed) : status;
    return el("li", {
      "data-page": name, class: `status-${status}` + (name === (state.page ?? firstListed) ? " current" : ""),
      onclick: () => update({ page: name }),
    }, el("div", { class: "name" }, name, status === "ok" ? bar : ""), el("span", { class: "share" }, share));
  }

  // -- one page -------------------------------------------------------------------------------
  // With no page in the URL, the first page of the list that has text is shown: it opens on text, not
  // on an empty pane (the URL only names a page someone chose, so a link stays a link to a view).
  function drawPage() {
    const view = $("page-view");
    $("detail").hidden = true;
    $("panes").classList.remove("with-detail");
    const shown = state.page === null ? firstListed : state.page;
    if (shown === null || !pageNumber.has(shown)) {
      view.replaceChildren(el("p", { class: "muted" }, shown === null ? "No page matches the filters." : `No page named ${shown}.`));
      return;
    }
    const i = pageNumber.get(shown);
    const [name, status, fixed, removed, , , note] = index.pages[i];
    const segments = JSON.parse(document.getElementById("p-" + i).textContent);
    const pattern = searchPattern();
    const text = el("div", { class: "text" + (state.hideKept ? " hide-kept" : "") });
    let highlighted = 0;
    for (const segment of segments) {
      if (segment.length === 1) {
        const lines = segment[0].split("\n").length - 1;
        text.append(el("span", { class: "kept" }, ...highlight(segment[0], pattern)),
                    el("span", { class: "gap" }, `⋯ ${lines} kept line${lines === 1 ? "" : "s"} ⋯\n`));
        continue;
      }
      const [body, c, r, s, reason, line, details] = segment;
      const category = categories[c].name, rule = index.rules[r], stage = index.stages[s];
      const chosen = selects(category, rule);
      highlighted += chosen ? 1 : 0;
      const span = el("del", {
        class: "rm" + (chosen ? " match" : " dim") + (category === WHITESPACE ? " ws" : ""),
        "data-cat": category, "data-rule": rule, tabindex: "0",
        style: chosen && category !== WHITESPACE ? "background:" + categories[c].colour : null,
        title: `${category} · ${rule}${reason ? "\n" + reason : ""}\nstage ${stage}, from line ${line}`,
      }, ...highlight(body, pattern));
      span.addEventListener("click", () => showDetail(span, { body, category, rule, stage, reason, line, details }));
      text.append(span);
    }
    const head = [el("h2", {}, name)];
    if (status === "failed") head.push(el("p", { class: "error" }, "Failed: " + note));
    else if (status === "dropped") head.push(el("p", { class: "error" }, "Dropped: " + note + " (no kept text was written; its removals alone are shown)"));
    if (status !== "failed") head.push(el("p", { class: "muted", id: "page-stats" },
      `${number(removed)} of ${number(fixed)} characters removed (${percent(removed, fixed)}); ${highlighted} removal${highlighted === 1 ? "" : "s"} highlighted by the filters.`));
    view.replaceChildren(...head, ...(segments.length ? [text] : []));
    for (const li of document.querySelectorAll("#page-list li")) li.classList.toggle("current", li.dataset.page === name);
  }
  function highlight(value, pattern) {
    if (!pattern) return [value];
    const parts = [];
    let last = 0;
    for (const m of value.matchAll(pattern.text)) {
      parts.push(value.slice(last, m.index), el("mark", {}, m[0]));
      last = m.index + m[0].length;
    }
    parts.push(value.slice(last));
    return parts;
  }
  function showDetail(span, removal) {
    for (const other of document.querySelectorAll("del.rm.selected")) other.classList.remove("selected");
    span.classList.add("selected");
    const lines = removal.body.split("\n").length - 1;
    const rows = [["category", removal.category], ["rule", removal.rule], ["stage", removal.stage],
                  ["lines", lines > 1 ? `${removal.line}–${removal.line + lines - 1}` : String(removal.line)],
                  ["reason", removal.reason || "—"]];
    const detail = $("detail");
    detail.replaceChildren(el("h2", {}, "Removal"),
      el("table", {}, ...rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)))),
      ...(removal.details ? [el("pre", {}, JSON.stringify(removal.details, null, 1))] : []),
      el("button", { type: "button", onclick: () => { detail.hidden = true; $("panes").classList.remove("with-detail"); } }, "Close"));
    detail.hidden = false;
    $("panes").classList.add("with-detail");
  }

  // -- wiring ---------------------------------------------------------------------------------
  function update(changes) {
    const pageOnly = Object.keys(changes).every((k) => k === "page");
    Object.assign(state, changes);
    if (!pageOnly) state.shown = PAGE_STEP;
    writeHash();
    drawControls();
    if (!pageOnly) drawList();
    drawPage();
    if ("page" in changes && changes.page !== null) $("browser").scrollIntoView();
  }
  let searchTimer = null;
  $("search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => update({ q: event.target.value.trim() }), 250);
  });
  $("rule-filter").addEventListener("change", (event) => update({ rule: event.target.value }));
  $("hide-kept").addEventListener("change", (event) => update({ hideKept: event.target.checked }));
  $("clear").addEventListener("click", () => update({ cats: new Set(), rule: "", q: "" }));
  $("more").addEventListener("click", () => { state.shown += PAGE_STEP; drawList(); });
  window.addEventListener("hashchange", () => { readHash(); drawControls(); drawList(); drawPage(); });

  readHash();
  drawSummary();
  drawControls();
  drawList();
  drawPage();
  document.body.dataset.ready = "true";  // for tests and tools that wait for the page to be drawn
})();
