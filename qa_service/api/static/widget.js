/* News QA chat widget. Embed with one tag (the API base URL is taken from this script's src):
 *   <script src="https://qa.example/widget.js" data-api-key="..." data-target="#qa" defer></script>
 * Optional: data-title, data-suggestions="question one|question two", data-autofocus="true".
 * Without data-target the widget opens from a floating button.
 *
 * Security rule: article and answer text is only ever put on the page with textContent or text
 * nodes, never parsed as HTML — the articles can carry <script> payloads. */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || !script.src) return;

  var BASE = new URL(".", script.src);
  var HISTORY_ENTRIES = 6; // previous turns sent with a follow-up question
  var MAX_CONTENT = 4000; // the API's limit per history entry
  var MARKER = /\[(\d+)\]/g;
  var instances = 0;

  /* ---------- small DOM helpers (text only, never HTML) ---------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(className, text, label) {
    var node = el("button", className, text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    return node;
  }

  function safeUrl(value) {
    if (!value) return null;
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (err) {
      return null;
    }
  }

  function formatDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    if (!m) return value ? String(value) : "Undated";
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(day);
  }

  function sourceLine(c) {
    return (c.source || "Unknown source") + " · " + formatDate(c.published_at);
  }

  function clip(text) {
    return String(text || "").slice(0, MAX_CONTENT);
  }

  /* ---------- styles ---------- */

  function ensureStyles() {
    var href = new URL("widget.css", BASE).href;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) if (links[i].href === href) return links[i];
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-nqa-css", "");
    document.head.appendChild(link);
    return link;
  }

  /** Keep the widget hidden until its CSS applies, so the host page never flashes raw markup. */
  function whenStyled(link, show) {
    if (link.sheet) return show();
    var shown = false;
    function once() {
      if (!shown) { shown = true; show(); }
    }
    link.addEventListener("load", once);
    link.addEventListener("error", once);
    setTimeout(once, 3000);
  }

  /* ---------- the API: POST + Server-Sent Events (EventSource cannot POST) ---------- */

  function problem(kind, status, title, detail, retryAfter) {
    return { isProblem: true, kind: kind, status: status, title: title, detail: detail, retryAfter: retryAfter };
  }

  function parseRetryAfter(value) {
    if (!value) return null;
    if (/^\d+$/.test(value.trim())) return parseInt(value, 10);
    var when = Date.parse(value);
    return isNaN(when) ? null : Math.max(1, Math.ceil((when - Date.now()) / 1000));
  }

  async function problemFrom(response) {
    var body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    body = body && typeof body === "object" ? body : {};
    return problem("http", response.status, body.title || response.statusText || "Request failed",
      body.detail || "", parseRetryAfter(response.headers.get("Retry-After")));
  }

  /** Split the byte stream into SSE events: "event:"/"data:" lines, a blank line ends one. */
  async function readEvents(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = "", name = "", data = [];
    function line(text) {
      if (text === "") {
        if (data.length) onEvent(name || "message", data.join("\n"));
        name = ""; data = [];
        return;
      }
      if (text.charAt(0) === ":") return;
      var colon = text.indexOf(":");
      var field = colon < 0 ? text : text.slice(0, colon);
      var value = colon < 0 ? "" : text.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }
    try {
      for (;;) {
        var chunk = await reader.read();
        buffer += chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
        var at;
        while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
          if (!chunk.done && buffer.charAt(at) === "\r" && at === buffer.length - 1) break;
          var width = buffer.slice(at, at + 2) === "\r\n" ? 2 : 1;
          line(buffer.slice(0, at));
          buffer = buffer.slice(at + width);
        }
        if (chunk.done) return;
      }
    } catch (err) {
      reader.cancel().catch(function () {});
      throw err;
    }
  }

  async function streamAsk(payload, apiKey, signal, onEvent) {
    var headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
    if (apiKey) headers.Authorization = "Bearer " + apiKey;
    var response;
    try {
      response = await fetch(new URL("v1/ask/stream", BASE).href, {
        method: "POST", headers: headers, body: JSON.stringify(payload), signal: signal,
        credentials: "omit",
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw problem("network", 0, "", "");
    }
    if (!response.ok) throw await problemFrom(response);
    var type = response.headers.get("content-type") || "";
    if (type.indexOf("text/event-stream") < 0 || !response.body) {
      throw problem("http", 502, "Unexpected response", "The service did not send an answer stream.");
    }
    try {
      await readEvents(response.body, function (name, text) {
        var data;
        try { data = JSON.parse(text); } catch (err) { return; } // not ours: ignore
        onEvent(name, data);
      });
    } catch (err) {
      if (err && err.isProblem) throw err;
      if (signal.aborted) throw err;
      throw problem("cut", 0, "", "");
    }
  }

  /** What the reader sees for each failure, and whether trying again can help. */
  function describe(p) {
    var code = p.status ? " (error " + p.status + ")" : "";
    if (p.kind === "network") {
      return { title: "Couldn't reach the news service", detail: "Check your connection, then try again.", retry: true };
    }
    if (p.kind === "stopped") {
      return { title: "Stopped", detail: "You stopped this answer.", retry: true, again: "Ask again" };
    }
    if (p.kind === "cut") {
      return { title: "The answer was cut off", detail: "The connection closed before the answer was complete.", retry: true };
    }
    if (p.status === 429) {
      return { title: "Too many questions right now", detail: "", retry: true, wait: p.retryAfter || 10 };
    }
    if (p.status === 401 || p.status === 403) {
      return { title: "This site's access key was not accepted", detail: (p.detail || p.title) + code, retry: false };
    }
    if (p.status >= 500) {
      return { title: "The service is having trouble", detail: (p.detail || p.title) + code, retry: true };
    }
    return { title: "That question couldn't be answered", detail: (p.detail || p.title) + code, retry: false };
  }

  /* ---------- one answer bubble: pending → streaming → final | abstained | error ---------- */

  function answerView(box, ids, onChange) {
    var status = el("p", "nqa-status");
    var text = el("p", "nqa-text");
    var frame = 0, latest = "", timer = 0;

    function begin(message) {
      clearInterval(timer);
      cancelAnimationFrame(frame);
      frame = 0;
      box.className = "nqa-a";
      box.setAttribute("aria-busy", "true");
      status.textContent = message;
      text.textContent = "";
      box.replaceChildren(status);
    }

    function streaming(full) {
      latest = full;
      if (frame) return;
      frame = requestAnimationFrame(function () {
        frame = 0;
        renderText(text, latest, null, null);
        if (text.parentNode !== box) box.replaceChildren(text);
        onChange();
      });
    }

    function finish(done) {
      cancelAnimationFrame(frame);
      frame = 0;
      box.setAttribute("aria-busy", "false");
      if (done.abstained) {
        box.classList.add("nqa-a--abstained");
        var note = el("div", "nqa-abstain");
        note.append(
          el("p", "nqa-abstain-title", "The articles don't cover this"),
          el("p", "nqa-abstain-hint", "Nothing in the collection answers this question, so no answer was made up. Try rephrasing it, or ask about another story.")
        );
        box.replaceChildren(note);
        onChange();
        return;
      }
      var citations = Array.isArray(done.citations) ? done.citations : [];
      var card = el("div", "nqa-card");
      card.id = ids.next("card");
      card.hidden = true;
      card.tabIndex = -1;
      card.setAttribute("role", "group");
      var footnotes = footnoteController(box, card);
      renderText(text, String(done.answer || ""), citations, footnotes.button);
      box.replaceChildren(text, card);
      if (citations.length) box.append(sourcesList(citations, footnotes.button));
      if (done.degraded) {
        box.append(el("p", "nqa-note", "The language model was unavailable, so this answer quotes the articles directly."));
      }
      onChange();
    }

    function fail(p, retry) {
      cancelAnimationFrame(frame);
      frame = 0;
      box.setAttribute("aria-busy", "false");
      box.classList.add("nqa-a--error");
      var info = describe(p);
      var block = el("div", "nqa-error");
      block.setAttribute("role", "alert");
      var detail = el("p", "nqa-error-detail", info.detail);
      block.append(el("p", "nqa-error-title", info.title), detail);
      if (info.retry) {
        var again = button("nqa-retry", info.again || "Try again");
        again.addEventListener("click", retry);
        block.append(again);
        if (info.wait) countdown(info.wait, detail, again);
      }
      box.replaceChildren(block);
      onChange();
    }

    function countdown(seconds, detail, again) {
      var left = seconds;
      again.disabled = true;
      function tick() {
        if (left <= 0) {
          clearInterval(timer);
          again.disabled = false;
          detail.textContent = "You can ask again now.";
          return;
        }
        detail.textContent = "You can ask again in " + left + " s.";
        left -= 1;
      }
      tick();
      timer = setInterval(tick, 1000);
    }

    return { begin: begin, status: status, streaming: streaming, finish: finish, fail: fail };
  }

  /** Render "[n]" markers: plain superscripts while streaming, footnote buttons once final. */
  function renderText(target, answer, citations, makeButton) {
    var byId = new Map();
    (citations || []).forEach(function (c) { byId.set(Number(c.id), c); });
    var nodes = [];
    var last = 0;
    answer.replace(MARKER, function (marker, digits, index) {
      nodes.push(document.createTextNode(answer.slice(last, index).replace(/\s+$/, "")));
      var c = byId.get(Number(digits));
      if (citations === null) nodes.push(el("sup", "nqa-cite nqa-cite--pending", digits));
      else if (c) nodes.push(makeButton(c, "nqa-cite", String(c.id)));
      last = index + marker.length;
      return marker;
    });
    nodes.push(document.createTextNode(answer.slice(last)));
    target.replaceChildren.apply(target, nodes);
  }

  /** One line per cited article (several passages of one article share it), numbers open quotes. */
  function sourcesList(citations, makeButton) {
    var wrap = el("div", "nqa-sources");
    wrap.append(el("p", "nqa-sources-label", "Sources"));
    var list = el("ul", "nqa-sources-list");
    var byDocument = new Map();
    citations.forEach(function (c) {
      var key = c.document_id || c.chunk_id || String(c.id);
      var item = byDocument.get(key);
      if (!item) {
        item = { nums: el("span", "nqa-source-nums"), li: el("li", "nqa-source") };
        var body = el("span", "nqa-source-body");
        body.append(el("span", "nqa-source-title", c.title || "Untitled article"),
          el("span", "nqa-source-meta", sourceLine(c)));
        item.li.append(item.nums, body);
        byDocument.set(key, item);
        list.append(item.li);
      }
      item.nums.append(makeButton(c, "nqa-source-num", String(c.id)));
    });
    wrap.append(list);
    return wrap;
  }

  /** The footnote card under an answer: one open at a time, Escape closes it and restores focus. */
  function footnoteController(box, card) {
    var opener = null;

    function close(restoreFocus) {
      card.hidden = true;
      box.querySelectorAll("[data-cite]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
      if (restoreFocus && opener) opener.focus();
      opener = null;
    }

    function open(trigger, c) {
      close(false);
      fillCard(card, c, function () { close(true); });
      card.hidden = false;
      opener = trigger;
      trigger.setAttribute("aria-expanded", "true");
      card.scrollIntoView({ block: "nearest" });
      card.focus({ preventScroll: true });
    }

    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !card.hidden) {
        event.stopPropagation();
        close(true);
      }
    });

    return {
      button: function (c, className, text) {
        var b = button(className, text, "Source " + c.id + ": " + (c.title || "untitled article"));
        b.setAttribute("data-cite", String(c.id));
        b.setAttribute("aria-expanded", "false");
        b.setAttribute("aria-controls", card.id);
        b.addEventListener("click", function () {
          if (opener === b) close(true);
          else open(b, c);
        });
        return b;
      },
    };
  }

  function fillCard(card, c, onClose) {
    var head = el("div", "nqa-card-head");
    var url = safeUrl(c.url);
    var title;
    if (url) {
      title = el("a", "nqa-card-title", c.title || "Untitled article");
      title.href = url;
      title.target = "_blank";
      title.rel = "noopener noreferrer";
    } else {
      title = el("p", "nqa-card-title", c.title || "Untitled article");
    }
    var closer = button("nqa-card-close", "×", "Close source " + c.id);
    closer.addEventListener("click", onClose);
    head.append(el("span", "nqa-card-num", c.id), title, closer);
    var quote = el("blockquote", "nqa-quote", c.quote);
    card.replaceChildren(head, el("p", "nqa-card-meta", sourceLine(c)));
    if (c.speaker) card.append(el("p", "nqa-card-speaker", c.speaker));
    card.append(quote);
    if (url) {
      var more = el("a", "nqa-card-link", "Read the article ↗");
      more.href = url;
      more.target = "_blank";
      more.rel = "noopener noreferrer";
      card.append(more);
    }
    card.setAttribute("aria-label", "Source " + c.id);
  }

  /* ---------- the widget ---------- */

  function createWidget(options) {
    var prefix = "nqa" + ++instances;
    var counter = 0;
    var ids = { next: function (what) { counter += 1; return prefix + "-" + what + "-" + counter; } };
    var state = { history: [], controller: null };

    var root = el("section", "nqa");
    root.setAttribute("aria-label", options.title);
    var header = el("header", "nqa-header");
    var reset = button("nqa-reset", "New chat", "Start a new conversation");
    reset.disabled = true;
    header.append(el("h2", "nqa-title", options.title), reset);

    var log = el("div", "nqa-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    var empty = emptyState(options.suggestions, function (q) { ask(q); });
    log.append(empty);

    var form = el("form", "nqa-form");
    var label = el("label", "nqa-sr", "Your question");
    var input = el("textarea", "nqa-input");
    input.id = ids.next("input");
    label.htmlFor = input.id;
    input.rows = 1;
    input.maxLength = 2000;
    input.placeholder = "Ask about the news…";
    input.setAttribute("enterkeyhint", "send");
    var hint = el("p", "nqa-hint", "Enter to send · Shift+Enter for a new line");
    hint.id = ids.next("hint");
    input.setAttribute("aria-describedby", hint.id);
    var send = el("button", "nqa-send", "Ask");
    send.type = "submit";
    var row = el("div", "nqa-row");
    row.append(input, send);
    // Options, folded away: "as of" places the question on a day (nothing published later is used).
    var options_ = el("details", "nqa-options");
    var asOfLabel = el("label", "nqa-option", "Answer as of ");
    var asOf = el("input", "nqa-as-of");
    asOf.type = "date";
    asOf.id = ids.next("as-of");
    asOfLabel.htmlFor = asOf.id;
    asOfLabel.append(asOf);
    options_.append(el("summary", "nqa-options-toggle", "Options"), asOfLabel);
    form.append(label, row, hint, options_);
    root.append(header, log, form);

    // Follow the growing answer unless the reader scrolled up to read something else.
    var stick = true;
    log.addEventListener("scroll", function () {
      stick = log.scrollHeight - log.scrollTop - log.clientHeight < 64;
    });
    function follow() {
      if (stick) log.scrollTop = log.scrollHeight;
    }

    function setBusy(busy) {
      send.textContent = busy ? "Stop" : "Ask";
      send.classList.toggle("nqa-send--stop", busy);
      send.setAttribute("aria-label", busy ? "Stop the answer" : "Ask");
      reset.disabled = busy || !log.querySelector(".nqa-turn");
    }

    function autosize() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight, 160) + "px";
    }

    async function run(question, history, view) {
      view.begin("Searching the articles");
      stick = true;
      follow();
      var controller = new AbortController();
      state.controller = controller;
      setBusy(true);
      var text = "", done = null;
      try {
        var payload = { question: question, history: history };
        if (/^\d{4}-\d{2}-\d{2}$/.test(asOf.value)) payload.as_of = asOf.value;
        await streamAsk(payload, options.apiKey, controller.signal,
          function (name, data) {
            if (name === "retrieval") {
              var n = Array.isArray(data.passages) ? data.passages.length : 0;
              view.status.textContent = n ? "Reading " + n + " passages" : "Writing the answer";
            } else if (name === "delta") {
              text += typeof data.text === "string" ? data.text : "";
              view.streaming(text);
            } else if (name === "done") {
              done = data;
            } else if (name === "error") {
              throw problem("http", data.status || 500, data.title || "Error", data.detail || "");
            }
          });
        if (!done) throw problem("cut", 0, "", "");
        view.finish(done);
        state.history.push({ role: "user", content: clip(question) },
          { role: "assistant", content: clip(done.answer) });
      } catch (err) {
        var again = function () { run(question, history, view); input.focus(); };
        if (controller.signal.aborted) view.fail(problem("stopped", 0, "", ""), again);
        else view.fail(err && err.isProblem ? err : problem("cut", 0, "", ""), again);
      } finally {
        if (state.controller === controller) state.controller = null;
        setBusy(false);
      }
    }

    function ask(question) {
      if (state.controller) return;
      empty.remove();
      log.querySelectorAll(".nqa-retry").forEach(function (b) { b.remove(); }); // only the last turn retries
      var turn = el("article", "nqa-turn");
      var box = el("div", "nqa-a");
      turn.append(el("p", "nqa-q", question), box);
      log.append(turn);
      var view = answerView(box, ids, follow);
      run(question, state.history.slice(-HISTORY_ENTRIES), view);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (state.controller) { state.controller.abort(); return; }
      var question = input.value.trim();
      if (!question) { input.focus(); return; }
      input.value = "";
      autosize();
      ask(question);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (!state.controller) form.requestSubmit();
      }
    });
    input.addEventListener("input", autosize);
    reset.addEventListener("click", function () {
      state.history = [];
      log.replaceChildren(empty);
      reset.disabled = true;
      input.focus();
    });

    return { root: root, header: header, input: input };
  }

  function emptyState(suggestions, onPick) {
    var box = el("div", "nqa-empty");
    box.append(el("p", "nqa-empty-title", "Ask about the news"));
    box.append(el("p", "nqa-empty-text", "Ask a question about the articles in this collection. Answers cite their sources — select a number to read the quote."));
    if (suggestions.length) {
      var list = el("div", "nqa-suggestions");
      suggestions.forEach(function (q) {
        var chip = button("nqa-suggestion", q);
        chip.addEventListener("click", function () { onPick(q); });
        list.append(chip);
      });
      box.append(list);
    }
    return box;
  }

  function floating(widget, title) {
    var panel = el("div", "nqa-panel");
    panel.id = "nqa-panel-" + instances;
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    var launcher = button("nqa-launcher", title);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", panel.id);
    var closer = button("nqa-close", "×", "Close");
    widget.header.append(closer);
    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) widget.input.focus();
      else launcher.focus();
    }
    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    closer.addEventListener("click", function () { toggle(false); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") toggle(false);
    });
    panel.append(widget.root);
    var holder = el("div", "nqa-floating");
    holder.append(panel, launcher);
    document.body.append(holder);
    return holder;
  }

  function mount(target, settings) {
    var options = {
      apiKey: settings.apiKey || "",
      title: settings.title || "Ask the news",
      suggestions: settings.suggestions || [],
      autofocus: !!settings.autofocus,
    };
    var widget = createWidget(options);
    var host = typeof target === "string" && target ? document.querySelector(target) : target;
    var shell = widget.root;
    if (host) {
      widget.root.classList.add("nqa--inline");
      host.append(widget.root);
    } else {
      widget.root.classList.add("nqa--floating");
      shell = floating(widget, options.title);
    }
    shell.hidden = true;
    whenStyled(ensureStyles(), function () {
      shell.hidden = false;
      if (options.autofocus && host) widget.input.focus();
    });
    return widget.root;
  }

  function start() {
    var data = script.dataset;
    mount(data.target || null, {
      apiKey: data.apiKey,
      title: data.title,
      autofocus: data.autofocus === "true",
      suggestions: (data.suggestions || "").split("|").map(function (s) { return s.trim(); }).filter(Boolean),
    });
  }

  window.NewsQA = window.NewsQA || { mount: mount };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
