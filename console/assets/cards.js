// Renders what a bot sends as Teams shows it: message text (markdown and
// <at> mentions), Adaptive Cards through Microsoft's renderer, and Hero,
// Thumbnail, List and connector (MessageCard) cards with our own markup.
// Every renderer returns { el, problems }: problems are what the renderer
// reported (parse and validation issues, unknown card types).
"use strict";
(function () {
  const md = window.markdownit({ html: false, linkify: true, breaks: true });
  // Links open in a new tab, as in Teams.
  const link = md.renderer.rules.link_open || function (t, i, o, e, s) { return s.renderToken(t, i, o); };
  md.renderer.rules.link_open = function (tokens, idx, opts, env, self) {
    tokens[idx].attrSet("target", "_blank");
    tokens[idx].attrSet("rel", "noopener noreferrer");
    return link(tokens, idx, opts, env, self);
  };

  // markdown-it escapes every tag (html is off); <at>Name</at> comes out
  // escaped and becomes a mention pill.
  function mentions(html) {
    return html.replace(/&lt;at&gt;([\s\S]*?)&lt;\/at&gt;/g, '<span class="mention">$1</span>');
  }
  function markdown(text) { return mentions(md.render(String(text || ""))); }
  function inline(text) { return mentions(md.renderInline(String(text || ""))); }

  // The Adaptive Cards renderer uses our markdown too, so that TextBlocks
  // show mentions as Teams does.
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = markdown(text);
    result.didProcess = true;
  };

  function h(tag, cls, html) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (html !== undefined) el.innerHTML = html;
    return el;
  }
  function safeURL(u) {
    try {
      const url = new URL(String(u), location.href);
      return /^(https?|mailto|data):$/.test(url.protocol) ? url.href : "";
    } catch (e) { return ""; }
  }
  function img(src, alt, cls) {
    const el = h("img", cls);
    el.src = safeURL(src);
    el.alt = alt || "";
    el.loading = "lazy";
    return el;
  }
  function buttons(list, problems) {
    const row = h("div", "card-buttons");
    (list || []).forEach(function (b, i) {
      if (!b || typeof b !== "object") { problems.push("button " + i + " is not an object"); return; }
      const btn = h("button", "card-button");
      btn.type = "button";
      btn.textContent = b.title || b.name || "(no title)";
      const url = b.type === "openUrl" ? b.value : b["@type"] === "OpenUri" && b.targets && b.targets[0] && b.targets[0].uri;
      btn.title = url ? "Opens " + url : (b.type || b["@type"] || "action");
      btn.addEventListener("click", function () { if (url && safeURL(url)) window.open(safeURL(url), "_blank", "noopener"); });
      row.appendChild(btn);
    });
    return row;
  }

  function adaptive(content, theme) {
    const problems = [];
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(window.TeamsHostConfig[theme] || window.TeamsHostConfig.light);
    card.onExecuteAction = function (action) {
      if (action instanceof AdaptiveCards.OpenUrlAction && safeURL(action.url)) window.open(safeURL(action.url), "_blank", "noopener");
    };
    const ctx = new AdaptiveCards.SerializationContext();
    card.parse(content, ctx);
    for (let i = 0; i < ctx.eventCount; i++) {
      const ev = ctx.getEventAt(i);
      if (ev.phase !== undefined && ev.event !== undefined) problems.push(ev.message);
    }
    const v = card.validateProperties();
    (v.validationEvents || []).forEach(function (ev) { problems.push(ev.message); });
    const el = h("div", "card adaptive");
    const out = card.render();
    if (!out) problems.push("the Adaptive Cards renderer returned nothing");
    else el.appendChild(out);
    return { el: el, problems: problems };
  }

  function hero(c, thumbnail) {
    const problems = [];
    const el = h("div", "card " + (thumbnail ? "thumbnail" : "hero"));
    const images = (c.images || []).filter(function (i) { return i && i.url; });
    const body = h("div", "card-body");
    if (!thumbnail && images.length) el.appendChild(img(images[0].url, images[0].alt, "hero-image"));
    if (c.title) body.appendChild(h("div", "card-title", inline(c.title)));
    if (c.subtitle) body.appendChild(h("div", "card-subtitle", inline(c.subtitle)));
    if (c.text) body.appendChild(h("div", "card-text", markdown(c.text)));
    if (thumbnail && images.length) {
      const row = h("div", "thumb-row");
      row.appendChild(body);
      row.appendChild(img(images[0].url, images[0].alt, "thumb-image"));
      el.appendChild(row);
    } else {
      el.appendChild(body);
    }
    if (c.buttons && c.buttons.length) el.appendChild(buttons(c.buttons, problems));
    if (!c.title && !c.text && !images.length) problems.push("the card has no title, text or image");
    return { el: el, problems: problems };
  }

  function list(c) {
    const problems = [];
    const el = h("div", "card list");
    if (c.title) el.appendChild(h("div", "card-title", inline(c.title)));
    (c.items || []).forEach(function (it, i) {
      if (!it || typeof it !== "object") { problems.push("item " + i + " is not an object"); return; }
      if (it.type === "section") { el.appendChild(h("div", "list-section", inline(it.title))); return; }
      if (it.type !== "resultItem" && it.type !== "person" && it.type !== "file") problems.push("item " + i + " has an unknown type " + JSON.stringify(it.type));
      const row = h("div", "list-item");
      if (it.icon) row.appendChild(img(it.icon, "", "list-icon"));
      const txt = h("div", "list-text");
      txt.appendChild(h("div", "list-title", inline(it.title)));
      if (it.subtitle) txt.appendChild(h("div", "list-subtitle", inline(it.subtitle)));
      row.appendChild(txt);
      const tap = it.tap && it.tap.type === "openUrl" && safeURL(it.tap.value);
      if (tap) { row.classList.add("tappable"); row.title = "Opens " + tap; row.addEventListener("click", function () { window.open(tap, "_blank", "noopener"); }); }
      el.appendChild(row);
    });
    if (c.buttons && c.buttons.length) el.appendChild(buttons(c.buttons, problems));
    return { el: el, problems: problems };
  }

  function messageCard(c) {
    const problems = [];
    const el = h("div", "card connector");
    if (c.themeColor) {
      const col = String(c.themeColor).replace(/^#/, "");
      if (/^[0-9a-fA-F]{3,8}$/.test(col)) el.style.borderLeftColor = "#" + col;
      else problems.push("themeColor is not a hex colour");
    }
    if (c.title) el.appendChild(h("div", "card-title", inline(c.title)));
    if (c.text) el.appendChild(h("div", "card-text", markdown(c.text)));
    (c.sections || []).forEach(function (s, i) {
      if (!s || typeof s !== "object") { problems.push("section " + i + " is not an object"); return; }
      const sec = h("div", "section");
      if (s.title) sec.appendChild(h("div", "section-title", inline(s.title)));
      if (s.activityTitle || s.activitySubtitle || s.activityText || s.activityImage) {
        const act = h("div", "activity");
        if (s.activityImage) act.appendChild(img(s.activityImage, "", "activity-image"));
        const t = h("div", "activity-text");
        if (s.activityTitle) t.appendChild(h("div", "activity-title", inline(s.activityTitle)));
        if (s.activitySubtitle) t.appendChild(h("div", "activity-subtitle", inline(s.activitySubtitle)));
        if (s.activityText) t.appendChild(h("div", "", markdown(s.activityText)));
        act.appendChild(t);
        sec.appendChild(act);
      }
      if (s.text) sec.appendChild(h("div", "card-text", markdown(s.text)));
      if (s.facts && s.facts.length) {
        const table = h("table", "facts");
        s.facts.forEach(function (f) {
          const tr = h("tr");
          tr.appendChild(h("th", "", inline(f.name)));
          tr.appendChild(h("td", "", inline(f.value)));
          table.appendChild(tr);
        });
        sec.appendChild(table);
      }
      (s.images || []).forEach(function (im) { if (im && im.image) sec.appendChild(img(im.image, im.title, "section-image")); });
      if (s.potentialAction && s.potentialAction.length) sec.appendChild(buttons(s.potentialAction, problems));
      el.appendChild(sec);
    });
    if (c.potentialAction && c.potentialAction.length) el.appendChild(buttons(c.potentialAction, problems));
    if (!c.title && !c.text && !(c.sections || []).length) problems.push("the MessageCard has no title, text or section");
    return { el: el, problems: problems };
  }

  // attachment renders one attachment of a reply.
  function attachment(a, theme) {
    if (!a || typeof a !== "object") return { el: h("div"), problems: ["an attachment is not an object"] };
    const c = a.content || {};
    switch (a.contentType) {
      case "application/vnd.microsoft.card.adaptive": return adaptive(c, theme);
      case "application/vnd.microsoft.card.hero": return hero(c, false);
      case "application/vnd.microsoft.card.thumbnail": return hero(c, true);
      case "application/vnd.microsoft.teams.card.list": return list(c);
      case "application/vnd.microsoft.teams.card.o365connector": return messageCard(c);
    }
    const el = h("div", "card unknown");
    el.textContent = "Teams cannot show an attachment of type " + a.contentType;
    return { el: el, problems: ["unknown attachment type " + JSON.stringify(a.contentType)] };
  }

  window.TeamsCards = {
    markdown: markdown,
    attachment: attachment,
    messageCard: messageCard,
    // message renders a whole message activity: text, then attachments.
    message: function (m, theme) {
      const el = h("div", "message-body");
      let problems = [];
      if (m && m.text) el.appendChild(h("div", "text", markdown(m.text)));
      ((m && m.attachments) || []).forEach(function (a) {
        const r = attachment(a, theme);
        el.appendChild(r.el);
        problems = problems.concat(r.problems);
      });
      if (m && !m.text && !(m.attachments || []).length && m.summary) el.appendChild(h("div", "text", markdown(m.summary)));
      return { el: el, problems: problems };
    },
  };
})();
