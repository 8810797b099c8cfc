// Live reload and the error overlay of `render preview`.
//
// The server pushes a note's state over server-sent events; this script reloads the page when a
// new render is ready and shows problems over the last good render. Whatever comes from a note or
// a problem goes into the page as text (textContent), never as markup.
(function () {
  "use strict";

  const OVERLAY_CSS = `
    :host { all: initial; }
    .bar, .panel { font: 13px/1.45 system-ui, "Noto Sans CJK SC", sans-serif; color: #1d2330; }
    .bar {
      position: fixed; right: 12px; bottom: 12px; z-index: 2147483647;
      display: flex; gap: 10px; align-items: center; padding: 6px 12px;
      background: rgba(255, 255, 255, 0.95); border: 1px solid #d1d5db; border-radius: 999px;
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15);
    }
    .bar a { color: #1e3a8a; text-decoration: none; }
    .bar a.current { font-weight: 700; color: #111827; }
    .status { cursor: pointer; border: 0; background: none; font: inherit; padding: 0; }
    .status::before { content: "●"; margin-right: 4px; color: #9ca3af; }
    .status.valid::before { color: #16a34a; }
    .status.warnings::before { color: #d97706; }
    .status.errors::before, .status.missing::before { color: #dc2626; }
    .status.offline::before { color: #9ca3af; }
    .panel {
      position: fixed; top: 0; left: 0; right: 0; z-index: 2147483646;
      max-height: 45vh; overflow: auto; padding: 12px 16px 14px;
      background: rgba(255, 255, 255, 0.97); border-bottom: 3px solid #dc2626;
      box-shadow: 0 4px 16px rgba(0, 0, 0, 0.2);
    }
    .panel.warnings-only { border-bottom-color: #d97706; }
    .panel[hidden] { display: none; }
    .heading { display: flex; gap: 12px; align-items: baseline; margin-bottom: 6px; }
    .title { font-weight: 700; }
    .hide { margin-left: auto; border: 1px solid #d1d5db; background: #fff; border-radius: 4px;
            font: inherit; cursor: pointer; }
    ol { margin: 0; padding-left: 1.4em; }
    li { margin: 3px 0; font-family: ui-monospace, "Noto Sans Mono CJK SC", monospace;
         font-size: 12px; white-space: pre-wrap; word-break: break-word; }
    li.error { color: #991b1b; }
    li.warning { color: #92400e; }
    .review { cursor: pointer; border: 1px solid #d1d5db; border-radius: 999px; background: #fff;
              font: inherit; font-size: 12px; padding: 1px 8px; }
    .review.approved { color: #15803d; border-color: #86efac; }
    .review.draft, .review.stale { color: #b45309; border-color: #fcd34d; }
    .review[hidden] { display: none; }
    .info {
      position: fixed; right: 12px; bottom: 52px; z-index: 2147483647; max-width: min(32em, 90vw);
      max-height: 50vh; overflow: auto; padding: 10px 14px;
      background: rgba(255, 255, 255, 0.97); border: 1px solid #d1d5db; border-radius: 8px;
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15);
    }
    .info[hidden] { display: none; }
    .info h3 { font-size: 12px; margin: 8px 0 3px; color: #4b5563; }
    .info h3:first-child { margin-top: 0; }
    .info p, .info ul { margin: 0; font-size: 12px; }
    .info ul { padding-left: 1.2em; }
    @media print { .bar, .panel, .info { display: none; } }
  `;

  const stateNode = document.getElementById("render-preview-state");
  if (stateNode) {
    notePage(JSON.parse(stateNode.textContent));
  } else {
    indexPage();
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  // -- a note page (the HTML view, the PDF view, or a note not rendered yet) ----------------------

  function notePage(page) {
    const view = page.view;
    const ui = overlay(page);
    const frame = document.getElementById("rp-pdf");
    let pdf = page.fingerprint;
    let warningsOpen = false;

    function show(state) {
      const problems = state.problems || [];
      const errors = problems.filter((p) => p.severity === "error");
      let label;
      if (state.status === "missing") label = "note not found";
      else if (errors.length) label = plural(errors.length, "error");
      else if (problems.length) label = plural(problems.length, "warning");
      else if (state.status === "pending") label = "checking…";
      else label = "valid";
      if (view === "pdf" && !errors.length && state.status !== "missing") {
        const ready = state.pdf && state.pdf === state.fingerprint;
        label += ready ? " · " + plural(state.pages, "page") : " · rendering PDF…";
      }
      ui.status.textContent = label;
      ui.status.className = "status " + state.status;
      showRegisters(ui, state);

      ui.list.replaceChildren();
      for (const problem of problems) {
        ui.list.append(el("li", { class: problem.severity }, problem.text));
      }
      if (state.status === "missing") {
        ui.title.textContent = "This note is no longer in the folder (deleted or renamed).";
        ui.panel.hidden = false;
      } else if (errors.length) {
        ui.title.textContent =
          plural(errors.length, "error") +
          (page.version ? " — the page shows the last good render" : " — the note has not rendered yet");
        ui.panel.hidden = false;
        ui.panel.classList.remove("warnings-only");
      } else {
        ui.title.textContent = plural(problems.length, "warning");
        ui.panel.classList.add("warnings-only");
        ui.panel.hidden = !(problems.length && warningsOpen);
      }
    }

    ui.status.addEventListener("click", () => {
      warningsOpen = ui.panel.hidden;
      ui.panel.hidden = !ui.panel.hidden;
    });
    ui.review.addEventListener("click", () => {
      ui.info.hidden = !ui.info.hidden;
    });
    ui.hide.addEventListener("click", () => {
      warningsOpen = false;
      ui.panel.hidden = true;
    });

    const source = new EventSource(
      "/_events?note=" + encodeURIComponent(page.note) + "&view=" + encodeURIComponent(view),
    );
    source.addEventListener("error", () => {
      ui.status.textContent = "reconnecting…";
      ui.status.className = "status offline";
    });
    source.addEventListener("note", (event) => {
      const state = JSON.parse(event.data);
      if (view !== "pdf" && state.version && state.version !== page.version) {
        // A new good render: load it (the browser keeps the scroll position on reload).
        source.close();
        location.reload();
        return;
      }
      const renders = state.status === "valid" || state.status === "warnings";
      if (view === "pdf" && frame && renders && state.fingerprint && state.fingerprint !== pdf) {
        // New inputs: ask for their PDF now. The server answers at once and sends the body
        // when it is rendered, so the browser's viewer starts meanwhile.
        pdf = state.fingerprint;
        frame.src = page.urls.pdf_file + "?v=" + encodeURIComponent(state.fingerprint);
      }
      show(state);
    });
    show(page);
  }

  // The review status, the disclosures that applied and the earlier approved notes on the
  // subject: a badge in the bar, and the details beside it when it is clicked.
  function reviewLabel(review) {
    if (review.status === "approved") return "approved by " + review.by + " at " + review.at;
    if (review.status === "stale") return "stale: changed after " + review.by + " approved it";
    return "draft";
  }

  function showRegisters(ui, state) {
    const review = state.review;
    ui.review.hidden = !review;
    if (!review) {
      ui.info.hidden = true;
      return;
    }
    ui.review.textContent = review.status === "approved" ? "approved" : review.status;
    ui.review.className = "review " + review.status;
    const parts = [el("h3", {}, "Review"), el("p", { class: "review-status" }, reviewLabel(review))];
    const applied = state.disclosures;
    parts.push(el("h3", {}, "Disclosures"));
    if (!applied) {
      parts.push(el("p", { class: "disclosures" }, "none: not a company note, or no register"));
    } else {
      const list = el("ul", { class: "disclosures" });
      list.append(el("li", { class: "heading" }, applied.heading));
      for (const sentence of applied.sentences) list.append(el("li", {}, sentence));
      parts.push(list);
    }
    parts.push(el("h3", {}, "Earlier approved notes on the subject"));
    const earlier = state.earlier || [];
    if (!earlier.length) {
      parts.push(el("p", { class: "earlier" }, "none"));
    } else {
      const list = el("ul", { class: "earlier" });
      for (const note of earlier) list.append(el("li", {}, note.date + " " + note.title));
      parts.push(list);
    }
    ui.info.replaceChildren(...parts);
  }

  function overlay(page) {
    const host = el("div", { id: "render-preview" });
    const root = host.attachShadow({ mode: "open" });
    root.append(el("style", {}, OVERLAY_CSS));

    const panel = el("section", { class: "panel", role: "alert", hidden: "" });
    const heading = el("div", { class: "heading" });
    const title = el("span", { class: "title" });
    const hide = el("button", { class: "hide", type: "button" }, "hide");
    heading.append(title, hide);
    const list = el("ol", { class: "problems" });
    panel.append(heading, list);

    const bar = el("nav", { class: "bar" });
    const links = [
      ["index", "/", "Index"],
      ["html", page.urls.html, "HTML"],
      ["pdf", page.urls.pdf, "PDF"],
    ];
    for (const [name, href, text] of links) {
      const link = el("a", { href: href, class: name === page.view ? "current" : "" }, text);
      link.dataset.view = name;
      bar.append(link);
    }
    const status = el("button", { class: "status", type: "button", title: "problems" });
    const review = el("button", { class: "review", type: "button", title: "review", hidden: "" });
    bar.append(status, review);
    const info = el("section", { class: "info", hidden: "" });
    root.append(panel, info, bar);
    document.body.append(host);
    return { panel, title, hide, list, bar, status, review, info };
  }

  // -- the index of notes -----------------------------------------------------------------------------

  function indexPage() {
    const live = document.getElementById("rp-live");
    let latest = 0;

    async function refresh() {
      const ticket = ++latest;
      const response = await fetch(location.pathname, { cache: "no-store" });
      const text = await response.text();
      if (ticket !== latest) return; // a newer refresh is on its way
      const fresh = new DOMParser().parseFromString(text, "text/html").getElementById("notes");
      const current = document.getElementById("notes");
      if (fresh && current) current.replaceWith(document.adoptNode(fresh));
    }

    const source = new EventSource("/_events");
    source.addEventListener("open", () => {
      live.textContent = "live";
      live.classList.add("rp-on");
    });
    source.addEventListener("error", () => {
      live.textContent = "reconnecting…";
      live.classList.remove("rp-on");
    });
    source.addEventListener("index", () => {
      refresh().catch(() => {});
    });
  }
})();
