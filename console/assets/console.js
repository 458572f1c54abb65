// The console page: sends what is typed to the bot through the console,
// shows each reply with the raw JSON, the activity sent and the time
// taken, and shows follow-ups as they arrive on the event stream.
"use strict";
(function () {
  // Every error the page or a renderer reports, for people and for the
  // browser tests.
  const errors = [];
  window.consoleErrors = errors;
  window.addEventListener("error", function (e) { errors.push("script: " + e.message); });
  window.addEventListener("unhandledrejection", function (e) { errors.push("promise: " + String(e.reason)); });
  document.addEventListener("securitypolicyviolation", function (e) { errors.push("csp: " + e.violatedDirective + " " + e.blockedURI); });

  const $ = function (id) { return document.getElementById(id); };
  const log = $("log");
  const fields = ["name", "aad", "team", "channel", "tenant"];
  let theme = localStorage.getItem("outhook.theme") || "light";
  let budgetMs = 5000;
  const redraws = [];
  const history = [];
  let back = 0;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pretty(v) {
    try { return JSON.stringify(typeof v === "string" ? JSON.parse(v) : v, null, 2); } catch (e) { return String(v); }
  }
  function details(title, body, open) {
    const d = el("details");
    d.open = !!open;
    d.appendChild(el("summary", "", title));
    d.appendChild(el("pre", "json", body));
    return d;
  }
  function applyTheme() {
    document.documentElement.dataset.theme = theme;
    $("theme").textContent = theme === "dark" ? "Light theme" : "Dark theme";
    redraws.forEach(function (f) { f(); });
  }

  // bubble renders a message into a bubble, again whenever the theme
  // changes; problems reported by the renderers show under it.
  function bubble(message, cls, who, meta) {
    const wrap = el("div", "msg " + cls);
    const head = el("div", "head");
    head.appendChild(el("span", "author", who));
    if (meta) head.appendChild(meta);
    wrap.appendChild(head);
    const box = el("div", "bubble");
    wrap.appendChild(box);
    function draw() {
      box.replaceChildren();
      let r;
      try {
        r = window.TeamsCards.message(message, theme);
      } catch (e) {
        r = { el: el("div"), problems: ["renderer failed: " + e.message] };
      }
      box.appendChild(r.el);
      if (r.problems.length) {
        const p = el("ul", "render-error");
        r.problems.forEach(function (m) { p.appendChild(el("li", "", m)); errors.push("render: " + m); });
        box.appendChild(p);
      }
    }
    draw();
    redraws.push(draw);
    return wrap;
  }

  // size shows the reply's size against what Teams takes.
  function size(bytes) {
    const limit = 28 * 1024;
    const s = el("div", "timing size" + (bytes > limit ? " over" : ""), (bytes / 1024).toFixed(1) + " KB of 28 KB Teams takes");
    return s;
  }

  function timing(ms) {
    const t = el("div", "timing");
    const bar = el("div", "bar");
    const fill = el("div", "fill");
    fill.style.width = Math.min(100, (ms / budgetMs) * 100) + "%";
    if (ms > budgetMs) t.classList.add("over");
    else if (ms > budgetMs * 0.8) t.classList.add("near");
    bar.appendChild(fill);
    t.appendChild(el("span", "", Math.round(ms) + " ms of " + budgetMs + " ms"));
    t.appendChild(bar);
    return t;
  }

  function turn(kind) {
    const t = el("article", "turn " + kind);
    const msgs = el("div", "msgs");
    const inspect = el("div", "inspect");
    t.appendChild(msgs);
    t.appendChild(inspect);
    log.appendChild(t);
    return { el: t, msgs: msgs, inspect: inspect };
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  async function send(text) {
    const t = turn("sent");
    t.el.dataset.state = "waiting";
    const asker = $("name").value || "You";
    t.msgs.appendChild(bubble({ text: "<at>" + $("at").dataset.name + "</at> " + text }, "mine", asker));
    const wait = el("div", "waiting", "waiting for the bot…");
    t.msgs.appendChild(wait);
    scroll();
    const body = {
      text: text, name: $("name").value, aadObjectId: $("aad").value,
      team: $("team").value, channel: $("channel").value, tenant: $("tenant").value,
    };
    let res;
    try {
      const r = await fetch("/api/send", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      res = await r.json();
      if (!r.ok && !res.activity) throw new Error(res.error || r.statusText);
    } catch (e) {
      wait.remove();
      t.msgs.appendChild(el("div", "failure", "The console could not send: " + e.message));
      t.el.dataset.state = "failed";
      return;
    }
    wait.remove();
    const meta = el("span", "meta", res.status ? "HTTP " + res.status : "no answer");
    if (res.reply && res.status === 200) {
      t.msgs.appendChild(bubble(res.reply, "bot reply", $("at").dataset.name, meta));
    } else {
      const f = el("div", "failure reply", (res.error || ("The bot answered HTTP " + res.status)) + (res.body ? ": " + res.body : "") +
        (res.reply ? ": " + JSON.stringify(res.reply) : ""));
      t.msgs.appendChild(f);
    }
    t.inspect.appendChild(timing(res.elapsedMs || 0));
    if (res.bytes) t.inspect.appendChild(size(res.bytes));
    t.inspect.appendChild(details("Reply", res.reply ? pretty(res.reply) : (res.body || res.error || ""), true));
    t.inspect.appendChild(details("Activity sent", pretty(res.activity), false));
    t.el.dataset.state = res.status === 200 ? "replied" : "failed";
    scroll();
  }

  function followUp(ev) {
    const f = JSON.parse(ev.data);
    const t = turn("followup");
    t.el.dataset.kind = f.kind;
    const p = f.payload;
    const message = f.kind === "connector" ? { attachments: [{ contentType: "application/vnd.microsoft.teams.card.o365connector", content: p }] } : p;
    const meta = el("span", "meta", "follow-up · " + f.kind + " · " + new Date(f.received).toLocaleTimeString());
    t.msgs.appendChild(bubble(message, "bot followup", $("at").dataset.name, meta));
    t.inspect.appendChild(details("Posted to the incoming webhook", pretty(p), true));
    scroll();
  }

  function stream() {
    const es = new EventSource("/events");
    const pill = $("stream");
    es.onopen = function () { pill.textContent = "follow-ups: live"; pill.className = "pill live"; };
    es.onerror = function () { pill.textContent = "follow-ups: reconnecting…"; pill.className = "pill"; };
    es.addEventListener("followup", function (ev) {
      try { followUp(ev); } catch (e) { errors.push("follow-up: " + e.message); }
    });
  }

  async function init() {
    const d = await (await fetch("/api/defaults")).json();
    budgetMs = d.budgetMs || budgetMs;
    $("at").textContent = "@" + d.botName;
    $("at").dataset.name = d.botName;
    $("text").placeholder = "Type a command, as after @" + d.botName + " in Teams (try: help)";
    const saved = JSON.parse(localStorage.getItem("outhook.asker") || "{}");
    const dflt = { name: d.name, aad: d.aadObjectId, team: d.team, channel: d.channel, tenant: d.tenant };
    fields.forEach(function (k) {
      $(k).value = saved[k] !== undefined ? saved[k] : dflt[k];
      $(k).addEventListener("change", function () {
        const s = {};
        fields.forEach(function (f) { s[f] = $(f).value; });
        localStorage.setItem("outhook.asker", JSON.stringify(s));
      });
    });
    $("say").addEventListener("submit", function (e) {
      e.preventDefault();
      const text = $("text").value.trim();
      if (!text) return;
      history.push(text);
      back = history.length;
      $("text").value = "";
      send(text);
    });
    $("text").addEventListener("keydown", function (e) {
      if (e.key === "ArrowUp" && back > 0) { back--; $("text").value = history[back]; e.preventDefault(); }
      if (e.key === "ArrowDown" && back < history.length) { back++; $("text").value = history[back] || ""; e.preventDefault(); }
    });
    $("theme").addEventListener("click", function () {
      theme = theme === "dark" ? "light" : "dark";
      localStorage.setItem("outhook.theme", theme);
      applyTheme();
    });
    $("clear").addEventListener("click", function () { log.replaceChildren(); redraws.length = 0; });
    applyTheme();
    stream();
    document.body.dataset.ready = "true";
  }
  init().catch(function (e) { errors.push("init: " + e.message); });
})();
