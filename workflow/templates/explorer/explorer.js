/* Evidence explorer: plain JavaScript, no library, no request. The page counts the evidence
   units it carries (results/cmoc_evidence_units.csv), so every number shown is a filter of the
   data a click opens. State lives in the URL fragment: #cmoc=CMOC04&site=S03&wave=followup. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("explorer-data").textContent);
  var S = DATA.strings, U = DATA.units, E = DATA.excerpts;
  var PAGE = 50;
  var KEYS = ["view", "cmoc", "site", "role", "wave", "type", "stance", "q", "list"];
  var FILTERS = ["site", "role", "wave", "type", "stance"];
  var STANCES = [["support", "Supporting"], ["partial", "Partial"], ["refutes", "Refuting"], ["other", "Other"]];
  var state = {};
  var main = document.getElementById("main");
  var form = document.getElementById("filters");
  var unitsOf = {}, lowerText = null, sortState = { key: null, up: true };

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "onclick") node.addEventListener("click", attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }
  function roleLabel(r) { return DATA.labels.role[r] || r || "(none)"; }
  function waveLabel(w) { return DATA.labels.wave[w] || w; }
  /* A unit's place is the attribution rule's (a site, a coarser place, or not attributed). */
  function siteLabel(s) { return DATA.labels.site[s] || s; }
  function uniq(values) { return Array.from(new Set(values)).filter(function (v) { return v !== ""; }).sort(); }

  /* ---------- state and URL fragment ---------- */
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var next = {};
    KEYS.forEach(function (k) { if (params.get(k)) next[k] = params.get(k); });
    if (!next.view) next.view = next.cmoc ? "cmoc" : "index";
    return next;
  }
  function writeHash() {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (state[k] && !(k === "view" && state.cmoc && state[k] === "cmoc")) params.set(k, state[k]); });
    var hash = "#" + params.toString();
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }
  function go(changes) {
    Object.keys(changes).forEach(function (k) { if (changes[k] === null) delete state[k]; else state[k] = changes[k]; });
    writeHash();
    render();
  }
  /* Open a list of cards and move the focus (and the view) to its heading. */
  function openList(changes) {
    go(changes);
    var h = document.getElementById("units-heading");
    if (h) h.focus();
  }

  /* ---------- filters ---------- */
  function fillSelect(name, values, label) {
    var select = form.elements[name];
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: "all" }));
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: label ? label(v) : v })); });
  }
  function setupFilters() {
    fillSelect("site", uniq(U.site.map(function (i) { return S[i]; })), siteLabel);
    fillSelect("role", uniq(U.role.map(function (i) { return S[i]; })), roleLabel);
    fillSelect("wave", uniq(U.wave.map(function (i) { return S[i]; })), waveLabel);
    fillSelect("type", uniq(U.type.map(function (i) { return S[i]; })));
    fillSelect("stance", STANCES.map(function (s) { return s[0]; }), function (s) {
      return STANCES.filter(function (x) { return x[0] === s; })[0][1];
    });
    FILTERS.forEach(function (name) {
      form.elements[name].addEventListener("change", function (event) {
        var change = {}; change[name] = event.target.value || null; go(change);
      });
    });
    var timer = null;
    form.elements.q.addEventListener("input", function (event) {
      clearTimeout(timer);
      timer = setTimeout(function () { go({ q: event.target.value.trim() || null }); }, 150);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.getElementById("clear-filters").addEventListener("click", function () {
      go({ site: null, role: null, wave: null, type: null, stance: null, q: null });
    });
  }
  function syncFilters() {
    FILTERS.forEach(function (name) { form.elements[name].value = state[name] || ""; });
    if (document.activeElement !== form.elements.q) form.elements.q.value = state.q || "";
  }
  function textMatches(excerptIndexes) {
    if (!state.q) return true;
    if (!lowerText) lowerText = S.map(function (s) { return s.toLowerCase(); });
    var q = state.q.toLowerCase();
    return excerptIndexes.some(function (x) { return lowerText[E.text[x]].indexOf(q) >= 0; });
  }
  function unitPasses(u, skip) {
    skip = skip || {};
    if (state.site && !skip.site && S[U.site[u]] !== state.site) return false;
    if (state.role && !skip.role && S[U.role[u]] !== state.role) return false;
    if (state.wave && !skip.wave && S[U.wave[u]] !== state.wave) return false;
    if (state.type && !skip.type && S[U.type[u]] !== state.type) return false;
    if (state.stance && !skip.stance && U.as[u] !== state.stance) return false;
    return textMatches(U.ex[u]);
  }
  function excerptPasses(x) {
    if (state.site && S[E.site[x]] !== state.site) return false;
    if (state.role && S[E.role[x]] !== state.role) return false;
    if (state.wave && S[E.wave[x]] !== state.wave) return false;
    if (state.type && S[E.type[x]] !== state.type) return false;
    return textMatches([x]);
  }

  /* ---------- counting ---------- */
  function units(cmoc) {
    if (!unitsOf[cmoc]) {
      unitsOf[cmoc] = [];
      for (var u = 0; u < U.id.length; u++) if (U.cmoc[u] === cmoc) unitsOf[cmoc].push(u);
    }
    return unitsOf[cmoc];
  }
  function tally(list) {
    var t = { support: 0, partial: 0, refutes: 0, other: 0 };
    list.forEach(function (u) { t[U.as[u]] = (t[U.as[u]] || 0) + 1; });
    return t;
  }
  /* Units carry no participant: who and where are counted by the build (DATA.people). */
  function cmocCounts(cmoc) {
    var t = tally(units(cmoc));
    var p = DATA.people[cmoc] || { participants: 0, sites: 0 };
    return { excerpts: t.support, partial: t.partial, refuting: t.refutes, participants: p.participants, sites: p.sites };
  }

  /* ---------- cards ---------- */
  function codingsTable(indexes) {
    var body = el("tbody");
    indexes.forEach(function (x) {
      body.appendChild(el("tr", {}, el("td", {}, el("code", { text: E.id[x] })), el("td", { text: S[E.code[x]] }),
        el("td", { text: E.coder[x] ? "coder " + E.coder[x] : "not recorded" }), el("td", { text: E.origin[x] })));
    });
    return el("table", { class: "codings" }, el("thead", {}, el("tr", {}, el("th", { text: "Excerpt id" }),
      el("th", { text: "Code" }), el("th", { text: "Coder" }), el("th", { text: "Origin (file and row, or project and GUID)" }))), body);
  }
  function textBlocks(card, indexes) {
    var byText = {};
    var order = [];
    indexes.forEach(function (x) {
      if (!byText[E.text[x]]) { byText[E.text[x]] = []; order.push(E.text[x]); }
      byText[E.text[x]].push(x);
    });
    order.forEach(function (t) { card.appendChild(el("blockquote", { text: S[t] })); card.appendChild(codingsTable(byText[t])); });
  }
  function facts(pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) { if (p[1] !== null) { dl.appendChild(el("dt", { text: p[0] })); dl.appendChild(el("dd", { text: p[1] })); } });
    return dl;
  }
  function unitCard(u) {
    var first = U.ex[u][0];
    var card = el("article", { class: "card " + U.as[u], "data-unit": U.id[u] },
      el("header", {}, el("span", { class: "badge " + U.as[u], text: STANCES.filter(function (s) { return s[0] === U.as[u]; }).map(function (s) { return s[1]; })[0] || U.as[u] }),
        " unit ", el("code", { text: U.id[u] }), U.stance[u] ? " (" + U.stance[u] + ")" : ""),
      facts([["Role", roleLabel(S[U.role[u]])], ["Site", siteLabel(S[U.site[u]])], ["Wave", waveLabel(S[U.wave[u]])], ["Data type", S[U.type[u]]],
        ["Batch", first === undefined ? "" : S[E.batch[first]]], ["Source", first === undefined ? "" : S[E.source[first]]]]));
    textBlocks(card, U.ex[u]);
    return card;
  }
  function excerptCard(x, hidePerson) {
    var card = el("article", { class: "card", "data-excerpt": E.id[x] },
      el("header", {}, "excerpt ", el("code", { text: E.id[x] }),
        DATA.quoted && DATA.quoted[E.id[x]] ? " \u00b7 quoted in the report as " + DATA.quoted[E.id[x]] : ""),
      facts([["Role", roleLabel(S[E.role[x]])], ["Site", hidePerson ? "not shown in a for-whom view" : siteLabel(S[E.site[x]])], ["Wave", waveLabel(S[E.wave[x]])],
        ["Data type", S[E.type[x]]], ["Batch", S[E.batch[x]]], ["Source", S[E.source[x]]]]));
    textBlocks(card, [x]);
    return card;
  }
  /* Paged list: PAGE cards at a time, so a cell of thousands opens at once. */
  function pagedList(container, items, makeCard) {
    var shown = 0;
    var list = el("div", { class: "cards" });
    var more = el("button", { type: "button", class: "more" });
    var all = el("button", { type: "button", class: "more show-all", text: "Show all" });
    function next(n) {
      var fragment = document.createDocumentFragment();
      var end = Math.min(items.length, shown + n);
      for (; shown < end; shown++) fragment.appendChild(makeCard(items[shown]));
      list.appendChild(fragment);
      var left = items.length - shown;
      more.textContent = "Show " + Math.min(PAGE, left) + " more (" + left + " not shown)";
      more.hidden = all.hidden = left === 0;
    }
    more.addEventListener("click", function () { next(PAGE); });
    all.addEventListener("click", function () { next(items.length); });
    container.appendChild(list);
    container.appendChild(more);
    container.appendChild(all);
    next(PAGE);
  }

  /* ---------- views ---------- */
  function heading(text, level) {
    return el(level || "h2", { tabindex: "-1", text: text });
  }
  function viewIndex() {
    main.appendChild(heading("CMOCs"));
    main.appendChild(el("p", { class: "note", text: "Counts are evidence units (results/cmoc_summary.csv). Click a column heading to sort; the filter box keeps the CMOCs whose id, title, area or configuration contains it." }));
    var filter = el("input", { type: "search", id: "cmoc-filter", "aria-label": "Filter CMOCs" });
    main.appendChild(el("label", {}, "Filter CMOCs ", filter));
    var columns = [["cmoc_id", "CMOC"], ["title", "Title"], ["area_title", "Area"], ["configuration", "If / then / because"],
      ["strength", "Count rating and rule"], ["confidence", "Team's confidence"], ["excerpts", "Supporting", 1],
      ["partial", "Partial", 1], ["refuting", "Refuting", 1], ["participants", "Participants", 1], ["sites", "Sites", 1]];
    var rows = DATA.cmocs.map(function (c) { var n = cmocCounts(c.cmoc_id); return Object.assign({}, c, n); });
    var table = el("table", { class: "cmoc-index" });
    var head = el("tr");
    columns.forEach(function (col) {
      head.appendChild(el("th", { class: col[2] ? "num" : "" }, el("button", { type: "button", class: "sort", "data-key": col[0], text: col[1],
        onclick: function () { sortState = { key: col[0], up: sortState.key === col[0] ? !sortState.up : true }; draw(); } })));
    });
    table.appendChild(el("thead", {}, head));
    var body = el("tbody");
    table.appendChild(body);
    main.appendChild(table);
    function draw() {
      var q = filter.value.toLowerCase();
      var shown = rows.filter(function (r) {
        return !q || [r.cmoc_id, r.title, r.area_title, r["if"], r.then, r.because].join(" ").toLowerCase().indexOf(q) >= 0;
      });
      if (sortState.key) {
        shown.sort(function (a, b) {
          var x = a[sortState.key], y = b[sortState.key];
          var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return sortState.up ? c : -c;
        });
      }
      body.textContent = "";
      shown.forEach(function (r) {
        var tr = el("tr", { "data-cmoc": r.cmoc_id });
        tr.appendChild(el("td", {}, el("a", { href: "#cmoc=" + encodeURIComponent(r.cmoc_id), text: r.cmoc_id })));
        tr.appendChild(el("td", { text: r.title }));
        tr.appendChild(el("td", { text: r.area_title }));
        tr.appendChild(el("td", {}, el("strong", { text: "If " }), r["if"], el("br"), el("strong", { text: "then " }), r.then, el("br"), el("strong", { text: "because " }), r.because));
        tr.appendChild(el("td", {}, el("strong", { text: r.strength }), " (" + r.strength_rule + ")", r.lowered_by_refuting ? "; " + r.refuting_rule : ""));
        tr.appendChild(el("td", { text: r.confidence || "not recorded" }));
        [["excerpts", "support"], ["partial", "partial"], ["refuting", "refutes"]].forEach(function (k) {
          var td = el("td", { class: "num", "data-count": k[0] });
          if (r[k[0]]) td.appendChild(el("a", { href: "#cmoc=" + encodeURIComponent(r.cmoc_id) + "&stance=" + k[1], text: r[k[0]] }));
          else td.appendChild(el("span", { class: "zero", text: "0" }));
          tr.appendChild(td);
        });
        tr.appendChild(el("td", { class: "num", "data-count": "participants", text: r.participants }));
        tr.appendChild(el("td", { class: "num", "data-count": "sites", text: r.sites }));
        body.appendChild(tr);
      });
    }
    filter.addEventListener("input", draw);
    draw();
  }
  function cellButton(list, label, pick) {
    var t = tally(list);
    var td = el("td");
    if (!list.length) { td.appendChild(el("span", { class: "zero", text: "0" })); return td; }
    var pressed = Object.keys(pick).every(function (k) { return (state[k] || null) === pick[k]; });
    var extra = [];
    if (t.partial) extra.push(t.partial + " partial");
    if (t.refutes) extra.push(t.refutes + " refuting");
    var button = el("button", { type: "button", class: "cell", "aria-pressed": pressed ? "true" : "false",
      "aria-label": label + ": " + t.support + " supporting" + (extra.length ? ", " + extra.join(", ") : ""),
      "data-support": t.support, "data-partial": t.partial, "data-refuting": t.refutes,
      "data-pick": JSON.stringify(pick), onclick: function () { openCell(pick); } },
      String(t.support), extra.length ? el("span", { class: "other", text: extra.join(", ") }) : null);
    Object.keys(pick).forEach(function (k) { if (pick[k]) button.setAttribute("data-" + k, pick[k]); });
    td.appendChild(button);
    return td;
  }
  /* A click that keeps the wave and data type re-renders the unit list alone, not the matrix
     (hundreds of sites at national scale), and marks the pressed cell. */
  function openCell(pick) {
    var full = state.list || ["wave", "type"].some(function (k) { return k in pick && (pick[k] || null) !== (state[k] || null); });
    var changes = Object.assign({}, pick, { stance: state.stance || null, list: null });
    var panel = document.getElementById("units-panel");
    if (full || !panel) { openList(changes); return; }
    Object.keys(changes).forEach(function (k) { if (changes[k] === null) delete state[k]; else state[k] = changes[k]; });
    writeHash();
    syncFilters();
    document.querySelectorAll("button.cell[data-pick]").forEach(function (b) {
      var own = JSON.parse(b.getAttribute("data-pick"));
      var on = Object.keys(own).every(function (k) { return (state[k] || null) === own[k]; });
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    panel.replaceWith(unitSections(state.cmoc));
    document.getElementById("units-heading").focus();
  }
  function matrix(cmoc) {
    var all = units(cmoc).filter(function (u) { return unitPasses(u, { site: 1, role: 1, stance: 1 }); });
    var sites = uniq(units(cmoc).map(function (u) { return S[U.site[u]]; }));
    var roles = uniq(units(cmoc).map(function (u) { return S[U.role[u]]; }));
    var table = el("table", { class: "matrix", id: "matrix" });
    var head = el("tr", {}, el("th", { text: "Site \\ role" }));
    roles.forEach(function (r) { head.appendChild(el("th", { text: roleLabel(r) })); });
    head.appendChild(el("th", { text: "All roles" }));
    table.appendChild(el("caption", { text: cmoc + ": evidence units by site and role" + (state.wave ? ", " + waveLabel(state.wave) : "") + (state.type ? ", " + state.type : "") + " (supporting; partial and refuting below)" }));
    table.appendChild(el("thead", {}, head));
    var body = el("tbody");
    var cells = {};  /* one pass: each unit into its cell and its row, column and grand totals */
    all.forEach(function (u) {
      [S[U.site[u]] + "\u0000" + S[U.role[u]], S[U.site[u]] + "\u0000", "\u0000" + S[U.role[u]], "\u0000"].forEach(function (key) {
        (cells[key] = cells[key] || []).push(u);
      });
    });
    function of(site, role) { return cells[(site === null ? "" : site) + "\u0000" + (role === null ? "" : role)] || []; }
    sites.concat([null]).forEach(function (s) {
      var tr = el("tr", {}, el("th", { text: s === null ? "All sites" : siteLabel(s) }));
      roles.concat([null]).forEach(function (r) {
        var label = (s === null ? "all sites" : siteLabel(s)) + ", " + (r === null ? "all roles" : roleLabel(r));
        tr.appendChild(cellButton(of(s, r), label, { site: s, role: r }));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }
  function strip(cmoc, key, values, label) {
    var table = el("table", { class: "matrix strip", id: "by-" + key });
    var head = el("tr", {}, el("th", { text: label }));
    var row = el("tr", {}, el("th", { text: "units" }));
    values.forEach(function (v) {
      head.appendChild(el("th", { text: key === "wave" ? waveLabel(v) : v }));
      var pick = { site: null, role: null, wave: null, type: null }; pick[key] = v;
      row.appendChild(cellButton(units(cmoc).filter(function (u) { return S[U[key][u]] === v; }), label + " " + v, pick));
    });
    table.appendChild(el("caption", { text: cmoc + ": all evidence units by " + label }));
    table.appendChild(el("thead", {}, head));
    table.appendChild(el("tbody", {}, row));
    return table;
  }
  function forWhom(cmoc) {
    var rows = DATA.subgroups.filter(function (g) { return g.cmoc_id === cmoc; });
    if (!rows.length) return null;
    var body = el("tbody");
    rows.forEach(function (g, i) {
      var td = el("td", { class: "num" });
      var suppressed = String(g.suppressed).toLowerCase() === "true";
      // a suppressed cell prints the build's one suppression marker (cmoc_subgroups.csv holds it)
      if (suppressed) td.appendChild(el("span", { class: "suppressed", title: "suppressed", text: g.excerpts }));
      else if (g.ex.length) td.appendChild(el("button", { type: "button", class: "cell", "data-subgroup": String(i), text: g.excerpts,
        onclick: function () { openList({ list: "subgroup:" + cmoc + ":" + DATA.subgroups.indexOf(g) }); } }));
      else td.appendChild(el("span", { class: "zero", text: g.excerpts }));
      body.appendChild(el("tr", {}, el("td", { text: g.attribute }), el("td", { text: g.value }),
        el("td", { class: "num", text: g.participants }), td));
    });
    return el("details", {}, el("summary", { text: "For whom: excerpts by participant attribute (suppressed cells do not open)" }),
      el("table", { class: "subgroups" }, el("thead", {}, el("tr", {}, el("th", { text: "Attribute" }), el("th", { text: "Value" }),
        el("th", { class: "num", text: "Participants" }), el("th", { class: "num", text: "Excerpts" }))), body));
  }
  function unitSections(cmoc) {
    var box = el("section", { class: "units", id: "units-panel", "aria-labelledby": "units-heading" });
    var chosen = units(cmoc).filter(function (u) { return unitPasses(u); });
    var where = FILTERS.concat(["q"]).filter(function (k) { return state[k]; }).map(function (k) { return k + " " + state[k]; });
    box.appendChild(el("h2", { id: "units-heading", tabindex: "-1", text: "Evidence units of " + cmoc + (where.length ? " (" + where.join(", ") + ")" : "") }));
    STANCES.forEach(function (s) {
      var items = chosen.filter(function (u) { return U.as[u] === s[0]; });
      if (!items.length && s[0] === "other") return;
      var part = el("div", { class: "stance-" + s[0], "data-stance": s[0], "data-count": items.length });
      part.appendChild(el("h3", { text: s[1] + " (" + items.length + ")" }));
      pagedList(part, items, unitCard);
      box.appendChild(part);
    });
    return box;
  }
  function viewCmoc() {
    var c = DATA.cmocs.filter(function (x) { return x.cmoc_id === state.cmoc; })[0];
    if (!c) { main.appendChild(heading("No CMOC " + state.cmoc + " in this build")); return; }
    var n = cmocCounts(c.cmoc_id);
    main.appendChild(heading(c.cmoc_id + ": " + c.title));
    main.appendChild(el("div", { class: "cmoc-head" }, facts([["Area", c.area_title], ["If", c["if"]], ["Then", c.then], ["Because", c.because],
      ["Count rating", c.strength + " (" + c.strength_rule + ")" + (c.lowered_by_refuting ? "; " + c.refuting_rule : "")],
      ["Team's confidence", c.confidence || "not recorded"],
      ["Evidence", n.excerpts + " supporting, " + n.partial + " partial, " + n.refuting + " refuting units from " + n.participants + " participants at " + n.sites + " sites"]])));
    main.appendChild(matrix(c.cmoc_id));
    var all = units(c.cmoc_id);
    main.appendChild(strip(c.cmoc_id, "wave", uniq(all.map(function (u) { return S[U.wave[u]]; })), "wave"));
    main.appendChild(strip(c.cmoc_id, "type", uniq(all.map(function (u) { return S[U.type[u]]; })), "data type"));
    var whom = forWhom(c.cmoc_id);
    if (whom) main.appendChild(whom);
    if (!state.list) main.appendChild(unitSections(c.cmoc_id));  /* an opened for-whom cell takes its place */
  }
  function aidTable(title, note, rows, columns, listKey) {
    main.appendChild(heading(title));
    main.appendChild(el("p", { class: "note", text: note }));
    var body = el("tbody");
    rows.forEach(function (r, i) {
      var tr = el("tr");
      columns.forEach(function (c) { tr.appendChild(el("td", { class: typeof r[c[0]] === "number" ? "num" : "", text: r[c[0]] })); });
      tr.appendChild(el("td", { class: "num" }, r.ex.length ? el("button", { type: "button", class: "cell", "data-row": String(i), text: r.ex.length,
        onclick: function () { openList({ list: listKey + ":" + i }); } }) : el("span", { class: "zero", text: "0" })));
      body.appendChild(tr);
    });
    var head = el("tr");
    columns.forEach(function (c) { head.appendChild(el("th", { text: c[1] })); });
    head.appendChild(el("th", { class: "num", text: "Codings" }));
    main.appendChild(el("table", { class: "aid", id: "aid-" + listKey }, el("thead", {}, head), body));
  }
  function idList(title, indexes, hidePerson) {
    var chosen = indexes.filter(excerptPasses);
    var box = el("section", { class: "units", "aria-labelledby": "units-heading" });
    box.appendChild(el("h2", { id: "units-heading", tabindex: "-1", "data-count": chosen.length, text: title + " (" + chosen.length + " codings)" }));
    pagedList(box, chosen, function (x) { return excerptCard(x, hidePerson); });
    main.appendChild(box);
  }
  function showList() {
    var parts = state.list.split(":");
    if (parts[0] === "subgroup") {
      var g = DATA.subgroups[Number(parts[2])];
      if (!g || String(g.suppressed).toLowerCase() === "true") return;
      idList(g.cmoc_id + ", " + g.attribute + " " + g.value, g.ex, true);
      return;
    }
    var sources = { candidates: DATA.candidates, pairs: DATA.pairs, disagreements: DATA.disagreements };
    var row = (sources[parts[0]] || [])[Number(parts[1])];
    if (row) idList(parts[0] === "pairs" ? row.code_a + " with " + row.code_b : (row.candidate_id || row.code || row.source_id || "overall"), row.ex, false);
  }
  function viewSearch() {
    main.appendChild(heading("Search excerpts"));
    main.appendChild(el("p", { class: "note", text: "Every excerpt some count opens, filtered by site, role, wave, data type and the search text above." }));
    var all = [];
    for (var x = 0; x < E.id.length; x++) all.push(x);
    idList(state.q ? "Excerpts containing \u201c" + state.q + "\u201d" : "All excerpts", all, false);
  }
  function viewQuarantine() {
    main.appendChild(heading("Quarantine (" + DATA.quarantine.length + " rows)"));
    main.appendChild(el("p", { class: "note", text: "Rows set aside when the batches were cleaned, with the machine-readable reason (results/quarantine.csv)." }));
    var cols = ["batch", "origin", "excerpt_id", "reason", "column", "detail"];
    var body = el("tbody");
    DATA.quarantine.forEach(function (r) { var tr = el("tr"); cols.forEach(function (c) { tr.appendChild(el("td", { text: r[c] })); }); body.appendChild(tr); });
    var head = el("tr"); cols.forEach(function (c) { head.appendChild(el("th", { text: c })); });
    main.appendChild(el("table", { id: "quarantine" }, el("thead", {}, head), body));
  }
  function viewProvenance() {
    var b = DATA.build;
    main.appendChild(heading("Provenance"));
    main.appendChild(facts([["Build id", b.build_id], ["Git commit", b.commit || "not recorded"]]));
    var inputs = el("tbody");
    b.inputs.forEach(function (f) { inputs.appendChild(el("tr", {}, el("td", { text: f.file }), el("td", { class: "num", text: f.rows === null ? "" : f.rows }), el("td", {}, el("code", { text: f.sha256 })))); });
    main.appendChild(el("h3", { text: "Inputs (SHA-256)" }));
    main.appendChild(el("table", { id: "inputs" }, el("thead", {}, el("tr", {}, el("th", { text: "File" }), el("th", { class: "num", text: "Rows" }), el("th", { text: "SHA-256" }))), inputs));
    main.appendChild(el("h3", { text: "Settings and code digests" }));
    var digests = el("tbody");
    Object.keys(b.digests).forEach(function (k) { digests.appendChild(el("tr", {}, el("td", { text: k }), el("td", {}, el("code", { text: b.digests[k] })))); });
    main.appendChild(el("table", {}, digests));
    main.appendChild(el("h3", { text: "Software" }));
    var software = el("tbody");
    Object.keys(b.software).forEach(function (k) { software.appendChild(el("tr", {}, el("td", { text: k }), el("td", { text: b.software[k] }))); });
    main.appendChild(el("table", { id: "software" }, software));
  }
  var AIDS = {
    candidates: ["Candidate CMOCs", "Code triads applied together that no configured CMOC covers: leads for the team, not findings (results/candidate_cmocs.csv).",
      function () { return DATA.candidates; }, [["rank", "Rank"], ["context", "Context"], ["mechanism", "Mechanism"], ["outcome", "Outcome"], ["units", "Units"], ["participants", "Participants"], ["sites", "Sites"]]],
    pairs: ["Co-occurring codes", "Pairs of context, mechanism and outcome codes applied in one unit (results/code_cooccurrence.csv).",
      function () { return DATA.pairs; }, [["code_a", "Code"], ["code_b", "With code"], ["units", "Units"], ["participants", "Participants"], ["sites", "Sites"], ["cmocs", "CMOCs"]]],
    disagreements: ["Coder disagreements", "Per code and per double-coded source, the codings one coder applied and another did not (results/coder_agreement.csv, disagreement_ids). Coders are numbered, never named.",
      function () { return DATA.disagreements; }, [["scope", "Scope"], ["code", "Code"], ["batch", "Batch"], ["source_id", "Source"], ["coders", "Coders"], ["units", "Units"], ["alpha", "Alpha"]]]
  };
  function render() {
    syncFilters();
    main.textContent = "";
    document.querySelectorAll("nav a").forEach(function (a) {
      if (a.getAttribute("data-view") === state.view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    if (state.view === "cmoc") viewCmoc();
    else if (AIDS[state.view]) { var a = AIDS[state.view]; aidTable(a[0], a[1], a[2](), a[3], state.view); }
    else if (state.view === "search") viewSearch();
    else if (state.view === "quarantine") viewQuarantine();
    else if (state.view === "provenance") viewProvenance();
    else viewIndex();
    if (state.list && state.view !== "search") showList();
    if (window.explorerReadyMs === undefined) window.explorerReadyMs = performance.now();
    document.documentElement.setAttribute("data-ready", "true");
  }
  document.querySelectorAll("nav a").forEach(function (a) {
    a.addEventListener("click", function (event) { event.preventDefault(); state = { view: a.getAttribute("data-view") }; writeHash(); render(); main.focus(); });
  });
  window.addEventListener("hashchange", function () { state = readHash(); render(); });
  setupFilters();
  state = readHash();
  render();
})();
