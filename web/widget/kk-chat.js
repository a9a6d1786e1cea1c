/*!
 * KK-assistenten web chat widget. Plain JavaScript, no dependencies, no build step.
 *
 * Embed:  <div id="kk-chat" data-kk-chat data-rasa-url="https://bot.example.dk"></div>
 *         <script src="https://case-service.example.dk/chat/kk-chat.js" defer></script>
 *
 * Options (data attributes on the container, or KKChat.mount(element, {...})):
 *   data-rasa-url    Rasa server base URL (required)
 *   data-api-url     case service base URL (default: where this script was loaded from)
 *   data-mode        "citizen" (default) or "staff" (legal mode one click away)
 *   data-demo-users  space-separated demo users offered for log-in (demo mode only)
 *
 * Talks to Rasa's anonymous REST channel (/webhooks/rest/webhook) or, when logged in, to the kk
 * channel (/webhooks/kk/webhook, Authorization: Bearer). The conversation and the token are kept
 * in sessionStorage only (never localStorage) and are cleared on log-out. Bot text is always
 * inserted as text nodes (links are built as elements, http/https only), never as HTML.
 *
 * The off switch: the widget asks the case service's GET /assistant/status when it starts and
 * every STATUS_POLL_MS while the page is visible, and a reply marked {"custom":
 * {"assistant_paused": true}} switches it at once. While paused it shows the message and the job
 * centre's phone number instead of the input (docs/operations.md). When the status cannot be
 * read, the widget keeps what it last knew.
 * See docs/web_chat.md.
 */
(function () {
  "use strict";

  if (window.KKChat && window.KKChat.mount) {
    return; // loaded twice: the first copy mounts every container
  }

  var SCRIPT = document.currentScript;
  var SCRIPT_URL = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, document.baseURI) : null;
  var VERSION = "1";
  var MAX_CHARS = 1000;
  var MAX_STORED_MESSAGES = 200;
  var REQUEST_TIMEOUT_MS = 30000;
  var STATUS_POLL_MS = 5000;
  var STATUS_TIMEOUT_MS = 5000;
  var PAUSED_MARKER = "assistant_paused";
  var RESUME_GRACE_MS = 10000;
  var SENDER_LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var HANDOVER_TEXT = "Jeg vil gerne tale med en medarbejder";
  var LEGAL_COMMAND = "/juridisk";
  var LEGAL_DISPLAY = "Jeg har et juridisk spørgsmål";
  var LEGAL_EXIT = "afslut";
  var STAFF_ROLES = ["staff", "jurist", "admin"];
  var ROLE_NAMES = { citizen: "borger", staff: "medarbejder", jurist: "jurist", admin: "administrator" };

  // The widget's own words in Danish and English (bot replies come in the conversation's
  // language from the bot). The language switch in the header chooses one; it is kept in the
  // session's state. The legal mode stays Danish (docs/english.md).
  var TEXT_DA = {
    lang: "da",
    switchTo: "en",
    switchLabel: "English",
    switchHint: "Skift sproget til engelsk",
    languageSet: "Dansk",
    handoverText: HANDOVER_TEXT,
    roles: ROLE_NAMES,
    title: "KK-assistenten",
    subtitle: "Jobcenter København",
    subtitleStaff: "Jobcenter København · for medarbejdere",
    aiNoticeStrong: "Du chatter med en AI-assistent, ikke et menneske.",
    aiNotice: " Svarene kan være forkerte. Tjek vigtige oplysninger hos jobcentret eller på kk.dk.",
    privacyStrong: "Skriv ikke dit CPR-nummer",
    privacy: " eller andre personlige oplysninger, fx om dit helbred, her i chatten.",
    empty: "Skriv dit spørgsmål nedenfor. Du kan fx spørge: Hvornår bliver kontanthjælp udbetalt?",
    emptyStaff: "Log ind, og vælg »Stil et juridisk spørgsmål«, eller skriv dit spørgsmål nedenfor.",
    logLabel: "Samtale",
    botSays: "KK-assistenten skriver:",
    youWrote: "Du skrev:",
    typing: "KK-assistenten skriver …",
    inputLabel: "Skriv din besked",
    inputHint: "Tryk Enter for at sende. Tryk Skift+Enter for en ny linje.",
    send: "Send",
    quickLabel: "Genveje",
    handover: "Tal med en medarbejder",
    legalStart: "Stil et juridisk spørgsmål",
    legalStop: "Afslut juridisk tilstand",
    legalHint: "Log ind som medarbejder for at stille juridiske spørgsmål.",
    legalBanner: "Juridisk tilstand: Skriv dit juridiske spørgsmål. Svarene bygger på juridiske " +
      "notater med henvisning, kilde og dato. Skriv »afslut« for at stoppe.",
    choicesLabel: "Svarmuligheder",
    notSent: "Ikke sendt",
    retry: "Prøv igen",
    unreachable: "KK-assistenten svarer ikke lige nu, så din besked er ikke sendt. Prøv igen om lidt.",
    tooMany: "Du har sendt mange beskeder på kort tid. Vent et øjeblik, og prøv igen.",
    rejected: "Beskeden kunne ikke sendes. Skriv den kortere eller på en anden måde.",
    noAnswer: "KK-assistenten svarede ikke. Skriv gerne dit spørgsmål med andre ord.",
    tooLong: "Beskeden er for lang. Skriv højst " + MAX_CHARS + " tegn.",
    feedbackQuestion: "Hjalp svaret?",
    feedbackYes: "Ja",
    feedbackNo: "Nej",
    feedbackThanks: "Tak for din vurdering.",
    feedbackFailed: "Din vurdering blev ikke gemt. Prøv igen.",
    source: "Kilde: ",
    generalSource: "generel information",
    newWindow: " (åbner i et nyt vindue)",
    demoUser: "Demobruger",
    login: "Log ind",
    logout: "Log ud",
    loginFailed: "Du blev ikke logget ind. Prøv igen.",
    loggedInAs: "Logget ind som ",
    loggedIn: function (user, role) {
      return "Du er logget ind som " + user + " (" + role + "). Nu kan jeg også svare på spørgsmål om din egen sag.";
    },
    loggedOut: "Du er logget ud. Samtalen er slettet fra denne browser.",
    expired: "Du er blevet logget ud, fordi din session er udløbet. Samtalen er slettet fra denne browser. Log ind igen for at fortsætte.",
    notConfigured: "Chatten kan ikke starte, fordi den mangler adressen på KK-assistenten (data-rasa-url).",
    pausedHeading: "KK-assistenten er lukket lige nu",
    pausedCall: function (phone) { return "Ring til Jobcenter København på " + phone; },
    resumed: "KK-assistenten er åben igen. Du kan skrive til den nu.",
    resuming: "KK-assistenten er ved at starte igen, så din besked er ikke sendt. Prøv igen om et øjeblik.",
  };

  var TEXT_EN = {
    lang: "en",
    switchTo: "da",
    switchLabel: "Dansk",
    switchHint: "Change the language to Danish",
    languageSet: "English",
    handoverText: "I would like to talk to a member of staff",
    roles: { citizen: "citizen", staff: "staff", jurist: "lawyer", admin: "administrator" },
    title: "KK-assistenten",
    subtitle: "Jobcenter København (the job centre)",
    subtitleStaff: "Jobcenter København · for staff",
    aiNoticeStrong: "You are chatting with an AI assistant, not a person.",
    aiNotice: " The answers can be wrong. Check important information with the job centre or on kk.dk.",
    privacyStrong: "Do not write your CPR number (Danish personal ID number)",
    privacy: " or other personal information, for example about your health, here in the chat.",
    empty: "Write your question below. For example, you can ask: When is kontanthjælp (social assistance) paid?",
    emptyStaff: "Log in, and choose »Stil et juridisk spørgsmål« (legal question), or write your question below.",
    logLabel: "Conversation",
    botSays: "KK-assistenten writes:",
    youWrote: "You wrote:",
    typing: "KK-assistenten is writing …",
    inputLabel: "Write your message",
    inputHint: "Press Enter to send. Press Shift+Enter for a new line.",
    send: "Send",
    quickLabel: "Shortcuts",
    handover: "Talk to a member of staff",
    legalStart: "Stil et juridisk spørgsmål",
    legalStop: "Afslut juridisk tilstand",
    legalHint: "Log in as staff to ask legal questions (in Danish).",
    legalBanner: "Juridisk tilstand: Skriv dit juridiske spørgsmål. Svarene bygger på juridiske " +
      "notater med henvisning, kilde og dato. Skriv »afslut« for at stoppe.",
    choicesLabel: "Choices",
    notSent: "Not sent",
    retry: "Try again",
    unreachable: "KK-assistenten is not answering right now, so your message has not been sent. Try again in a moment.",
    tooMany: "You have sent many messages in a short time. Wait a moment, and try again.",
    rejected: "The message could not be sent. Write it shorter or in another way.",
    noAnswer: "KK-assistenten did not answer. Please write your question in other words.",
    tooLong: "The message is too long. Write at most " + MAX_CHARS + " characters.",
    feedbackQuestion: "Did the answer help?",
    feedbackYes: "Yes",
    feedbackNo: "No",
    feedbackThanks: "Thank you for your rating.",
    feedbackFailed: "Your rating was not saved. Try again.",
    source: "Source: ",
    generalSource: "general information",
    newWindow: " (opens in a new window)",
    demoUser: "Demo user",
    login: "Log in",
    logout: "Log out",
    loginFailed: "You were not logged in. Try again.",
    loggedInAs: "Logged in as ",
    loggedIn: function (user, role) {
      return "You are logged in as " + user + " (" + role + "). Now I can also answer questions about your own case.";
    },
    loggedOut: "You are logged out. The conversation has been deleted from this browser.",
    expired: "You have been logged out, because your session has expired. The conversation has been deleted from this browser. Log in again to continue.",
    notConfigured: "The chat cannot start, because it does not have the address of KK-assistenten (data-rasa-url).",
    pausedHeading: "KK-assistenten is closed right now",
    pausedCall: function (phone) { return "Call Jobcenter København on " + phone; },
    resumed: "KK-assistenten is open again. You can write to it now.",
    resuming: "KK-assistenten is starting again, so your message has not been sent. Try again in a moment.",
  };
  var TEXTS = { da: TEXT_DA, en: TEXT_EN };
  var TEXT = TEXT_DA; // the language of the widget being built or used (one per page in practice)
  var LANGUAGE_PAYLOAD = function (lang) { return '/set_language{"language":"' + lang + '"}'; };

  var widgetCount = 0;

  function TEXT_FOR(chat) {
    return TEXTS[chat.state.lang === "en" ? "en" : "da"];
  }

  // --- small helpers -------------------------------------------------------------------------

  function h(tag, attrs) {
    var el = document.createElement(tag);
    var key;
    attrs = attrs || {};
    for (key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      var value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (var i = 2; i < arguments.length; i++) appendAll(el, arguments[i]);
    return el;
  }

  function appendAll(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      child.forEach(function (c) { appendAll(parent, c); });
      return;
    }
    parent.append(child); // a string becomes a text node, never markup
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  // Thumb icon: Material Icons "thumb_up" path (Apache License 2.0).
  var THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
    "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";

  function thumbIcon(down) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", THUMB);
    if (down) path.setAttribute("transform", "rotate(180 12 12)");
    svg.appendChild(path);
    return svg;
  }

  function randomSender() {
    var bytes = new Uint8Array(23);
    window.crypto.getRandomValues(bytes);
    var out = "w";
    for (var i = 0; i < bytes.length; i++) out += SENDER_LETTERS[bytes[i] % 26];
    return out; // letters only: a sender id may never look like a phone or CPR number
  }

  function decodeJwt(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (part.length % 4) part += "=";
      return JSON.parse(atob(part));
    } catch (e) {
      return {};
    }
  }

  function fold(text) {
    return text.toLowerCase().replace(/æ/g, "ae").replace(/ø/g, "oe").replace(/å/g, "aa");
  }

  // --- links in bot text ---------------------------------------------------------------------

  // [label](url) | http(s)://... | www.... | bare domain such as kk.dk/x or borger.dk
  var LINK = /\[([^\]\n]{1,200})\]\(([^)\s]{1,2000})\)|((?:https?:\/\/|www\.)[^\s<>"«»]+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:dk|com|org|net|eu|info)(?![a-z0-9-])(?:\/[^\s<>"«»]*)?)/gi;
  var TRAILING = /[.,;:!?'"”’)\]]+$/;

  function safeHref(raw) {
    var candidate = /^https?:\/\//i.test(raw) ? raw : "https://" + raw;
    try {
      var url = new URL(candidate);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch (e) { /* not a URL: stays text */ }
    return null;
  }

  function link(href, label) {
    return h("a", { href: href, target: "_blank", rel: "noopener noreferrer" },
      label, h("span", { class: "kk-sr", text: TEXT.newWindow }));
  }

  function linkify(text) {
    var nodes = [];
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text)) !== null) {
      var start = match.index;
      var whole = match[0];
      var before = start > 0 ? text.charAt(start - 1) : "";
      if (match[3] !== undefined && /[@\w.\-\/]/.test(before)) continue; // e-mail or part of a word
      var node = null;
      var rest = "";
      if (match[1] !== undefined) {
        var target = safeHref(match[2]);
        node = target ? link(target, match[1]) : match[1];
      } else {
        var raw = whole;
        var trail = raw.match(TRAILING);
        if (trail && !(trail[0].charAt(0) === ")" && raw.indexOf("(") !== -1)) {
          rest = trail[0];
          raw = raw.slice(0, raw.length - rest.length);
        }
        var href = safeHref(raw);
        node = href ? link(href, raw) : raw;
      }
      if (start > last) nodes.push(text.slice(last, start));
      nodes.push(node);
      if (rest) nodes.push(rest);
      last = start + whole.length;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  function sourceLine(source) {
    // The document's title and date ("BIF: ..., 2017") as the bot sends it; the file name only
    // for an answer that has no title.
    if (source.title) return TEXT.source + source.title;
    var file = source.file === "general" ? TEXT.generalSource : source.file;
    return TEXT.source + file + (source.date ? ", " + source.date : "");
  }

  // --- storage (sessionStorage only) ---------------------------------------------------------

  function storageGet(key) {
    try {
      var raw = window.sessionStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or disabled: the chat still works, without reload */ }
  }

  function storageRemove(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch (e) { /* ignore */ }
  }

  function freshState(lang) {
    return {
      v: VERSION, sender: randomSender(), seq: 0, messages: [], auth: null, legal: false,
      lang: lang === "en" ? "en" : "da",
    };
  }

  function validState(s) {
    return s && s.v === VERSION && typeof s.sender === "string" && /^w[a-z]{23}$/.test(s.sender) &&
      Array.isArray(s.messages) && typeof s.seq === "number";
  }

  // --- the widget ----------------------------------------------------------------------------

  function Chat(container, options) {
    widgetCount += 1;
    this.prefix = "kk-chat-" + widgetCount + "-";
    this.container = container;
    this.mode = options.mode === "staff" ? "staff" : "citizen";
    this.rasaUrl = (options.rasaUrl || "").replace(/\/+$/, "");
    this.apiUrl = (options.apiUrl || "").replace(/\/+$/, "");
    this.demoUsers = (options.demoUsers || "").split(/\s+/).filter(Boolean);
    this.storageKey = "kk-chat:" + this.mode;
    this.busy = false;
    this.pending = null; // the user message whose delivery failed (for "Prøv igen")
    this.state = storageGet(this.storageKey);
    if (!validState(this.state)) this.state = freshState();
    var expired = !!(this.state.auth && this.isExpired());
    if (expired) {
      storageRemove(this.storageKey);
      this.state = freshState(this.state.lang);
    }
    if (this.state.lang !== "en") this.state.lang = "da";
    TEXT = TEXTS[this.state.lang];
    this.build();
    this.watchStatus();
    if (expired) this.note(TEXT.expired);
    if (!this.rasaUrl) {
      this.showError(TEXT.notConfigured, false);
      this.input.disabled = true;
    }
  }

  Chat.prototype.id = function (name) {
    return this.prefix + name;
  };

  Chat.prototype.build = function () {
    var self = this;
    var staff = this.mode === "staff";
    this.account = h("div", { class: "kk-chat__account" });
    this.modeBanner = h("p", { class: "kk-chat__mode", hidden: true, text: TEXT.legalBanner });
    this.log = h("div", {
      class: "kk-chat__log", role: "log", "aria-live": "polite", "aria-label": TEXT.logLabel,
      tabindex: "0", id: this.id("log"),
    });
    this.typing = h("div", { class: "kk-chat__typing", hidden: true },
      h("span", { class: "kk-chat__dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      h("span", { "aria-hidden": "true", text: TEXT.typing }));
    this.status = h("p", { class: "kk-sr", role: "status" });
    this.errorText = h("p", { role: "alert" });
    this.retryButton = h("button", {
      type: "button", class: "kk-btn kk-btn--small", text: TEXT.retry,
      onclick: function () { self.retry(); },
    });
    this.error = h("div", { class: "kk-chat__error", hidden: true }, this.errorText, this.retryButton);
    this.quick = h("div", { class: "kk-chat__quick", role: "group", "aria-label": TEXT.quickLabel });
    // Shown instead of the input while an admin has paused the assistant (the off switch).
    this.pausedText = h("p", { class: "kk-chat__paused-text" });
    this.pausedPhone = h("p", { class: "kk-chat__paused-phone" });
    this.pausedPanel = h("div", {
      class: "kk-chat__paused", role: "status", tabindex: "-1", hidden: true, "data-kk-paused": "",
    },
    h("p", { class: "kk-chat__paused-heading" }, h("strong", { text: TEXT.pausedHeading })),
    this.pausedText, this.pausedPhone);
    this.paused = false;
    this.input = h("textarea", {
      id: this.id("input"), class: "kk-chat__input", name: "message", rows: "2",
      maxlength: String(MAX_CHARS), autocomplete: "off", "aria-describedby": this.id("hint"),
      onkeydown: function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          self.submitFromInput();
        }
      },
    });
    this.sendButton = h("button", { type: "submit", class: "kk-btn kk-btn--primary", text: TEXT.send });
    this.form = h("form", {
      class: "kk-chat__form", novalidate: true,
      onsubmit: function (event) {
        event.preventDefault();
        self.submitFromInput();
      },
    },
    h("label", { class: "kk-chat__label", for: this.id("input"), text: TEXT.inputLabel }),
    this.input, this.sendButton,
    h("p", { class: "kk-chat__hint", id: this.id("hint"), text: TEXT.inputHint }));

    this.langButton = h("button", {
      type: "button", class: "kk-btn kk-btn--small kk-chat__lang", lang: TEXT.switchTo,
      "data-kk-lang": TEXT.switchTo, "aria-describedby": this.id("lang-hint"), text: TEXT.switchLabel,
      onclick: function () { self.setLanguage(TEXT_FOR(self).switchTo); },
    });
    this.root = h("section", {
      class: "kk-chat kk-chat--" + this.mode, lang: TEXT.lang, "aria-labelledby": this.id("title"),
      "data-kk-chat-root": "", "data-busy": "false",
    },
    h("div", { class: "kk-chat__header" },
      h("div", { class: "kk-chat__heading" },
        h("h2", { class: "kk-chat__title", id: this.id("title"), text: TEXT.title }),
        h("p", { class: "kk-chat__subtitle", text: staff ? TEXT.subtitleStaff : TEXT.subtitle })),
      h("div", { class: "kk-chat__language" },
        h("span", { class: "kk-sr", id: this.id("lang-hint"), text: TEXT.switchHint }),
        this.langButton),
      this.account),
    h("div", { class: "kk-chat__notices" },
      h("p", { class: "kk-chat__notice kk-chat__notice--ai" }, h("strong", { text: TEXT.aiNoticeStrong }), TEXT.aiNotice),
      h("p", { class: "kk-chat__notice kk-chat__notice--privacy" }, h("strong", { text: TEXT.privacyStrong }), TEXT.privacy)),
    this.modeBanner, this.log, this.typing, this.status, this.error, this.pausedPanel, this.quick,
    this.form);

    // The stored conversation is rendered before the widget is attached, so the live region
    // does not read the whole history out again after a reload.
    this.renderLog();
    this.renderAccount();
    this.renderQuick();
    var last = this.state.messages[this.state.messages.length - 1];
    if (last && last.from === "user" && last.failed) {
      this.pending = last;
      this.showError(TEXT.unreachable, true);
    }
    this.container.textContent = "";
    this.container.appendChild(this.root);
    this.scrollToEnd();
    // Keep the newest message in view when the log changes size (zoom, rotation, narrower
    // window), unless the user has scrolled up to read.
    this.atEnd = true;
    this.log.addEventListener("scroll", function () {
      self.atEnd = self.log.scrollHeight - self.log.scrollTop - self.log.clientHeight < 8;
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { if (self.atEnd) self.scrollToEnd(); }).observe(this.log);
    }
  };

  // --- the language switch -------------------------------------------------------------------

  Chat.prototype.setLanguage = function (lang) {
    if (lang !== "da" && lang !== "en") return;
    var status = this.lastStatus;
    this.state.lang = lang;
    this.save();
    TEXT = TEXTS[lang];
    this.build(); // every label, hint and notice again, in the new language
    if (status) this.setPaused(status[0], status[1], status[2]);
    this.langButton.focus();
    // The bot's answers follow the conversation's language slot (intent set_language).
    if (this.rasaUrl && !this.paused) this.submit(LANGUAGE_PAYLOAD(lang), TEXT.languageSet);
  };

  // --- the off switch ------------------------------------------------------------------------

  Chat.prototype.watchStatus = function () {
    var self = this;
    this.checkStatus();
    window.setInterval(function () {
      if (!document.hidden) self.checkStatus();
    }, STATUS_POLL_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) self.checkStatus();
    });
  };

  Chat.prototype.checkStatus = function () {
    var self = this;
    if (this.checkingStatus) return;
    this.checkingStatus = true;
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, STATUS_TIMEOUT_MS);
    fetch(this.apiUrl + "/assistant/status", {
      method: "GET", headers: { Accept: "application/json" }, signal: controller.signal,
      credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store",
    }).then(function (response) {
      if (response.status !== 200) throw new Error("status " + response.status);
      return response.json();
    }).then(function (body) {
      if (!body || typeof body.paused !== "boolean") return;
      self.setPaused(body.paused, body.message, body.phone);
    }).catch(function () {
      /* unreachable: keep what we knew (the Rasa channels answer with the message anyway) */
    }).finally(function () {
      clearTimeout(timer);
      self.checkingStatus = false;
    });
  };

  Chat.prototype.setPaused = function (paused, message, phone) {
    this.lastStatus = [paused, message, phone];
    if (paused) {
      var text = typeof message === "string" && message ? message.slice(0, 500) : TEXT.pausedHeading + ".";
      if (this.pausedText.textContent !== text) this.pausedText.textContent = text;
      this.pausedPhone.textContent = "";
      if (typeof phone === "string" && phone) {
        var digits = phone.replace(/[^0-9+]/g, "");
        this.pausedPhone.append(h("a", { href: "tel:" + digits, text: TEXT.pausedCall(phone.slice(0, 32)) }));
      }
    }
    if (paused === this.paused) return;
    this.paused = paused;
    var hadFocus = this.form.contains(document.activeElement) || this.quick.contains(document.activeElement);
    this.pausedPanel.hidden = !paused;
    this.form.hidden = paused;
    this.quick.hidden = paused;
    this.root.setAttribute("data-paused", paused ? "true" : "false");
    if (paused) {
      this.hideError();
      if (hadFocus) this.pausedPanel.focus();
    } else {
      this.resumedAt = Date.now();
      this.note(TEXT.resumed);
      if (hadFocus || document.activeElement === this.pausedPanel) this.input.focus();
    }
  };

  Chat.prototype.save = function () {
    var messages = this.state.messages;
    if (messages.length > MAX_STORED_MESSAGES) {
      this.state.messages = messages.slice(messages.length - MAX_STORED_MESSAGES);
    }
    storageSet(this.storageKey, this.state);
  };

  Chat.prototype.isStaff = function () {
    return !!(this.state.auth && STAFF_ROLES.indexOf(this.state.auth.role) !== -1);
  };

  Chat.prototype.isExpired = function () {
    var auth = this.state.auth;
    return !!(auth && typeof auth.exp === "number" && Date.now() / 1000 > auth.exp - 5);
  };

  // --- rendering -----------------------------------------------------------------------------

  Chat.prototype.renderLog = function () {
    this.log.textContent = "";
    if (!this.state.messages.length) {
      this.log.appendChild(h("p", {
        class: "kk-chat__empty", text: this.mode === "staff" ? TEXT.emptyStaff : TEXT.empty,
      }));
    }
    for (var i = 0; i < this.state.messages.length; i++) {
      this.log.appendChild(this.renderMessage(this.state.messages[i]));
    }
    this.modeBanner.hidden = !this.state.legal;
  };

  Chat.prototype.appendMessages = function (messages) {
    var empty = this.log.querySelector(".kk-chat__empty");
    if (empty) empty.remove();
    for (var i = 0; i < messages.length; i++) this.log.appendChild(this.renderMessage(messages[i]));
    this.scrollToEnd();
  };

  Chat.prototype.replaceMessage = function (message) {
    var old = this.log.querySelector('[data-msg-id="' + message.id + '"]');
    if (old) old.replaceWith(this.renderMessage(message));
  };

  Chat.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Chat.prototype.scrollToStartOf = function (message) {
    // A long answer is shown from its beginning, not from its last line.
    var el = this.log.querySelector('[data-msg-id="' + message.id + '"]');
    if (!el) return;
    var end = this.log.scrollHeight - this.log.clientHeight;
    this.log.scrollTop = Math.min(Math.max(el.offsetTop - 12, 0), end);
    this.atEnd = this.log.scrollTop >= end - 8;
  };

  Chat.prototype.renderMessage = function (m) {
    var self = this;
    if (m.from === "system") {
      return h("p", { class: "kk-msg kk-msg--system", "data-msg-id": m.id, text: m.text });
    }
    if (m.from === "user") {
      return h("div", { class: "kk-msg kk-msg--user", "data-msg-id": m.id, lang: m.lang || null },
        h("p", { class: "kk-sr", text: TEXT.youWrote }),
        h("div", { class: "kk-msg__bubble" }, h("p", { class: "kk-msg__text", text: m.text })),
        m.failed ? h("p", { class: "kk-msg__failed", text: TEXT.notSent }) : null);
    }
    var bubble = null;
    if (m.text || m.source) {
      bubble = h("div", { class: "kk-msg__bubble" },
        m.text ? h("p", { class: "kk-msg__text" }, linkify(m.text)) : null,
        m.source ? h("p", { class: "kk-msg__source", text: sourceLine(m.source) }) : null);
    }
    var choices = null;
    if (m.buttons && m.buttons.length && !m.answered) {
      choices = h("div", { class: "kk-msg__choices", role: "group", "aria-label": TEXT.choicesLabel },
        m.buttons.map(function (b) {
          return h("button", {
            type: "button", class: "kk-btn kk-choice", text: b.title,
            onclick: function () { self.submit(b.payload, b.title); },
          });
        }));
    }
    return h("div", { class: "kk-msg kk-msg--bot", "data-msg-id": m.id, lang: m.lang || null },
      h("p", { class: "kk-sr", text: TEXT.botSays }), bubble, choices,
      m.rateable ? this.renderFeedback(m) : null);
  };

  Chat.prototype.renderFeedback = function (m) {
    var self = this;
    var labelId = this.id("fb-" + m.id);
    var thanks = h("span", { class: "kk-feedback__thanks", role: "status", text: m.rating ? TEXT.feedbackThanks : "" });
    var buttons = [];
    function button(rating, label) {
      var b = h("button", {
        type: "button", class: "kk-btn kk-btn--small kk-feedback__" + rating,
        "aria-pressed": m.rating === rating ? "true" : "false",
        "aria-disabled": m.rating ? "true" : null,
        onclick: function () { self.rate(m, rating, buttons, thanks); },
      }, thumbIcon(rating === "down"), label);
      buttons.push(b);
      return b;
    }
    return h("div", { class: "kk-feedback", role: "group", "aria-labelledby": labelId },
      h("span", { id: labelId, text: TEXT.feedbackQuestion }),
      button("up", TEXT.feedbackYes), button("down", TEXT.feedbackNo), thanks);
  };

  Chat.prototype.renderAccount = function () {
    var self = this;
    this.account.textContent = "";
    var auth = this.state.auth;
    if (auth) {
      this.account.append(
        h("p", { class: "kk-chat__who" }, TEXT.loggedInAs, h("strong", { text: auth.username }),
          " (" + (TEXT.roles[auth.role] || auth.role) + ")"),
        h("button", {
          type: "button", class: "kk-btn kk-chat__logout", text: TEXT.logout,
          onclick: function () { self.logout(false); },
        }));
      return;
    }
    if (!this.demoUsers.length) return;
    var select = h("select", { id: this.id("user"), class: "kk-chat__select" },
      this.demoUsers.map(function (u) { return h("option", { value: u, text: u }); }));
    this.accountError = h("p", { class: "kk-chat__account-error", role: "alert" });
    this.loginSelect = select;
    this.account.append(
      h("div", { class: "kk-chat__account-field" },
        h("label", { class: "kk-chat__label", for: this.id("user"), text: TEXT.demoUser }), select),
      h("button", {
        type: "button", class: "kk-btn kk-btn--primary kk-chat__login", text: TEXT.login,
        onclick: function () { self.login(select.value); },
      }),
      this.accountError);
  };

  Chat.prototype.renderQuick = function () {
    var self = this;
    this.quick.textContent = "";
    this.quick.appendChild(h("button", {
      type: "button", class: "kk-btn kk-chat__handover", text: TEXT.handover,
      onclick: function () { self.submit(TEXT.handoverText, TEXT.handoverText); },
    }));
    if (this.mode !== "staff") return;
    if (this.isStaff()) {
      var legal = this.state.legal;
      this.quick.appendChild(h("button", {
        type: "button", class: "kk-btn kk-chat__legal", text: legal ? TEXT.legalStop : TEXT.legalStart,
        onclick: function () {
          if (self.state.legal) self.submit(LEGAL_EXIT, TEXT.legalStop);
          else self.submit(LEGAL_COMMAND, LEGAL_DISPLAY);
        },
      }));
    } else {
      this.quick.appendChild(h("p", { class: "kk-chat__hint kk-chat__legal-hint", text: TEXT.legalHint }));
    }
  };

  // --- state changes -------------------------------------------------------------------------

  Chat.prototype.push = function (message) {
    if (!message.lang) message.lang = this.state.lang;
    this.state.seq += 1;
    message.id = "m" + this.state.seq;
    this.state.messages.push(message);
    return message;
  };

  Chat.prototype.note = function (text) {
    var m = this.push({ from: "system", text: text });
    this.save();
    this.appendMessages([m]);
  };

  Chat.prototype.retireChoices = function () {
    // Once the user writes anything, older buttons are no longer accepted by the bot.
    var self = this;
    this.state.messages.forEach(function (m) {
      if (m.from === "bot" && m.buttons && m.buttons.length && !m.answered) {
        m.answered = true;
        self.replaceMessage(m);
      }
    });
  };

  Chat.prototype.setLegal = function (on) {
    if (this.state.legal === on) return;
    this.state.legal = on;
    this.modeBanner.hidden = !on;
    this.renderQuick();
  };

  Chat.prototype.trackLegalMode = function (text) {
    var t = fold(text.trim());
    if (t === LEGAL_EXIT) {
      this.setLegal(false);
    } else if (this.isStaff() && (t === LEGAL_COMMAND || /juridisk(e)? sp(oe|o)rgsm(aa|a)l/.test(t))) {
      this.setLegal(true);
    }
  };

  Chat.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.root.setAttribute("data-busy", busy ? "true" : "false");
    this.typing.hidden = !busy;
    this.status.textContent = busy ? TEXT.typing : "";
    if (busy) this.sendButton.setAttribute("aria-disabled", "true");
    else this.sendButton.removeAttribute("aria-disabled");
  };

  Chat.prototype.showError = function (text, canRetry) {
    this.error.hidden = false;
    this.retryButton.hidden = !canRetry;
    this.errorText.textContent = text;
  };

  Chat.prototype.hideError = function () {
    this.error.hidden = true;
    this.errorText.textContent = "";
  };

  // --- sending -------------------------------------------------------------------------------

  Chat.prototype.submitFromInput = function () {
    var self = this;
    var text = this.input.value.trim();
    if (!text || this.busy || !this.rasaUrl) return;
    if (text.length > MAX_CHARS) {
      this.showError(TEXT.tooLong, false);
      return;
    }
    this.input.value = "";
    this.submit(text, text).then(function (sent) {
      if (!sent && !self.input.value) self.input.value = text;
    });
  };

  Chat.prototype.submit = function (payload, display) {
    if (this.busy || !this.rasaUrl || this.paused) return Promise.resolve(false);
    if (this.state.auth && this.isExpired()) {
      this.logout(true);
      return Promise.resolve(false);
    }
    var active = document.activeElement;
    var hadFocus = this.root.contains(active);
    this.retireChoices();
    if (hadFocus && !this.root.contains(active)) this.input.focus(); // its button group is gone
    var message = this.push({ from: "user", text: display || payload, payload: payload });
    // A button or a command ("/juridisk", "afslut") gets a prompt, not an answer to rate.
    if (payload !== display || payload.charAt(0) === "/" || fold(payload.trim()) === LEGAL_EXIT) {
      message.command = true;
    }
    this.trackLegalMode(payload);
    this.save();
    this.appendMessages([message]);
    return this.deliver(message, hadFocus).then(function () { return true; });
  };

  Chat.prototype.retry = function () {
    if (!this.pending || this.busy) return;
    this.deliver(this.pending, true);
  };

  Chat.prototype.post = function (url, body, headers) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    var allHeaders = { "Content-Type": "application/json", Accept: "application/json" };
    for (var key in headers || {}) allHeaders[key] = headers[key];
    return fetch(url, {
      method: "POST", headers: allHeaders, body: JSON.stringify(body), signal: controller.signal,
      credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store",
    }).finally(function () { clearTimeout(timer); });
  };

  Chat.prototype.deliver = function (message, hadFocus) {
    var self = this;
    var auth = this.state.auth;
    var url = this.rasaUrl + (auth ? "/webhooks/kk/webhook" : "/webhooks/rest/webhook");
    var headers = auth ? { Authorization: "Bearer " + auth.token } : {};
    this.hideError();
    this.setBusy(true);
    return this.post(url, { sender: this.state.sender, message: message.payload }, headers)
      .then(function (response) {
        if (response.status === 200) {
          return response.json().then(function (body) {
            if (!Array.isArray(body)) throw new Error("not a list");
            return { ok: true, body: body };
          });
        }
        if (response.status === 401 && auth) return { expired: true };
        if (response.status === 429) return { error: TEXT.tooMany, retry: true };
        if (response.status === 400 || response.status === 413) return { error: TEXT.rejected, retry: false };
        return { error: TEXT.unreachable, retry: true };
      })
      .catch(function () {
        return { error: TEXT.unreachable, retry: true };
      })
      .then(function (outcome) {
        self.setBusy(false);
        if (outcome.expired) {
          self.logout(true);
          return;
        }
        if (outcome.ok && self.pausedItem(outcome.body) && self.justResumed()) {
          // Switched on a moment ago, but this Rasa server has not heard yet (it keeps the
          // status up to 3 s): not sent, try again, instead of flipping back to paused.
          outcome = { error: TEXT.resuming, retry: true };
        }
        if (outcome.ok) {
          self.pending = null;
          if (message.failed) {
            delete message.failed;
            self.replaceMessage(message);
          }
          self.receive(outcome.body, hadFocus, !!message.command);
          return;
        }
        message.failed = true;
        self.pending = outcome.retry ? message : null;
        self.save();
        self.replaceMessage(message);
        self.showError(outcome.error, outcome.retry);
        if (hadFocus) (outcome.retry ? self.retryButton : self.input).focus();
      });
  };

  Chat.prototype.pausedItem = function (items) {
    for (var i = 0; i < items.length; i++) {
      if (items[i] && items[i].custom && items[i].custom[PAUSED_MARKER] === true) return items[i];
    }
    return null;
  };

  Chat.prototype.justResumed = function () {
    return !!this.resumedAt && Date.now() - this.resumedAt < RESUME_GRACE_MS;
  };

  Chat.prototype.receive = function (items, hadFocus, afterCommand) {
    var added = [];
    var paused = this.pausedItem(items);
    if (paused) {
      // Paused since the last status check: the reply is the pause message, not an answer.
      this.save();
      this.setPaused(true, paused.text, paused.custom.phone);
      return;
    }
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (!item || typeof item !== "object") continue;
      var text = typeof item.text === "string" ? item.text : "";
      var buttons = Array.isArray(item.buttons) ? item.buttons.filter(function (b) {
        return b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload;
      }).slice(0, 12).map(function (b) {
        return { title: b.title.slice(0, 200), payload: b.payload.slice(0, MAX_CHARS) };
      }) : [];
      var custom = item.custom && typeof item.custom === "object" ? item.custom : null;
      var source = null;
      if (custom && custom.source && typeof custom.source === "object" && custom.source.file) {
        source = {
          file: String(custom.source.file).slice(0, 200),
          date: custom.source.date === undefined || custom.source.date === null ? "" : String(custom.source.date).slice(0, 32),
          title: custom.source.title ? String(custom.source.title).slice(0, 300) : "",
        };
      }
      if (!text && !buttons.length) continue;
      added.push(this.push({ from: "bot", text: text, buttons: buttons, source: source }));
    }
    if (!added.length) {
      added.push(this.push({ from: "system", text: TEXT.noAnswer }));
    } else {
      // Thumbs up/down once per answer: on the message with a source, else on the last text
      // of a reply to something the user wrote (not to a button or a command, and not a
      // question with options: those are steps of a conversation, not answers).
      var target = null;
      for (var j = added.length - 1; j >= 0 && !target; j--) if (added[j].source) target = added[j];
      for (var k = added.length - 1; k >= 0 && !target && !afterCommand; k--) {
        if (added[k].text && !added[k].buttons.length) target = added[k];
      }
      if (target) target.rateable = true;
    }
    this.save();
    this.appendMessages(added);
    this.scrollToStartOf(added[0]);
    if (!hadFocus) return;
    var choice = this.log.querySelector('[data-msg-id="' + added[added.length - 1].id + '"] .kk-choice');
    (choice || this.input).focus({ preventScroll: !!choice });
    if (choice && choice.scrollIntoView) choice.scrollIntoView({ block: "nearest" });
  };

  Chat.prototype.rate = function (message, rating, buttons, thanks) {
    if (message.rating || buttons[0].getAttribute("aria-disabled") === "true") return; // sent or sending
    var self = this;
    buttons.forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    thanks.textContent = "";
    thanks.classList.remove("kk-feedback__thanks--error");
    this.conversationRef().then(function (ref) {
      var body = { conversation_ref: ref, message_id: message.id, rating: rating };
      if (message.source) {
        body.source_file = message.source.file;
        body.source_date = message.source.date || null;
      }
      return self.post(self.apiUrl + "/feedback", body);
    }).then(function (response) {
      if (response.status !== 201) throw new Error("feedback " + response.status);
      message.rating = rating;
      self.save();
      buttons.forEach(function (b) {
        b.setAttribute("aria-pressed", b.classList.contains("kk-feedback__" + rating) ? "true" : "false");
      });
      thanks.textContent = TEXT.feedbackThanks;
    }).catch(function () {
      buttons.forEach(function (b) { b.removeAttribute("aria-disabled"); });
      thanks.classList.add("kk-feedback__thanks--error");
      thanks.textContent = TEXT.feedbackFailed;
    });
  };

  Chat.prototype.conversationRef = function () {
    // A hash of the sender id: the case service never gets the id itself.
    var data = new TextEncoder().encode("kk-chat:" + this.state.sender);
    if (window.crypto && window.crypto.subtle) {
      return window.crypto.subtle.digest("SHA-256", data).then(function (digest) {
        return Array.prototype.map.call(new Uint8Array(digest), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        }).join("").slice(0, 32);
      });
    }
    var hash = 2166136261;
    for (var i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
    return Promise.resolve("f" + hash.toString(16));
  };

  // --- log-in and log-out (demo) -------------------------------------------------------------

  Chat.prototype.login = function (username) {
    var self = this;
    if (!username) return;
    this.accountError.textContent = "";
    this.post(this.apiUrl + "/auth/demo-login", { username: username })
      .then(function (response) {
        if (response.status !== 200) throw new Error("login " + response.status);
        return response.json();
      })
      .then(function (body) {
        var claims = decodeJwt(body.access_token || "");
        if (!body.access_token || !claims.role) throw new Error("no token");
        var exp = typeof claims.exp === "number" ? claims.exp
          : Math.floor(Date.now() / 1000) + (Number(body.expires_in) || 3600);
        self.state.auth = { token: body.access_token, username: username, role: claims.role, exp: exp };
        self.state.legal = false;
        self.modeBanner.hidden = true;
        self.save();
        self.renderAccount();
        self.renderQuick();
        self.note(TEXT.loggedIn(username, TEXT.roles[claims.role] || claims.role));
        self.input.focus();
      })
      .catch(function () {
        self.accountError.textContent = TEXT.loginFailed;
      });
  };

  Chat.prototype.logout = function (expired) {
    storageRemove(this.storageKey);
    this.state = freshState(this.state.lang); // the chosen language outlives the log-out
    this.save();
    this.pending = null;
    this.hideError();
    this.renderLog();
    this.renderAccount();
    this.renderQuick();
    this.note(expired ? TEXT.expired : TEXT.loggedOut);
    if (this.loginSelect) this.loginSelect.focus();
    else this.input.focus();
  };

  // --- mounting ------------------------------------------------------------------------------

  function readOptions(element) {
    var d = element.dataset;
    var scriptData = SCRIPT ? SCRIPT.dataset : {};
    var apiUrl = d.apiUrl !== undefined ? d.apiUrl
      : scriptData.apiUrl !== undefined ? scriptData.apiUrl
        : SCRIPT_URL ? SCRIPT_URL.origin : "";
    return {
      rasaUrl: d.rasaUrl || scriptData.rasaUrl || "",
      apiUrl: apiUrl,
      mode: d.mode || scriptData.mode || "citizen",
      demoUsers: d.demoUsers || scriptData.demoUsers || "",
    };
  }

  function ensureStylesheet() {
    if (!SCRIPT_URL) return;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (/\/kk-chat\.css(\?|$)/.test(links[i].href)) return;
    }
    document.head.appendChild(h("link", { rel: "stylesheet", href: new URL("kk-chat.css", SCRIPT_URL).href }));
  }

  function mount(element, options) {
    if (!element) return null;
    if (element.kkChat) return element.kkChat;
    var opts = readOptions(element);
    for (var key in options || {}) opts[key] = options[key];
    element.kkChat = new Chat(element, opts);
    return element.kkChat;
  }

  function mountAll() {
    ensureStylesheet();
    var elements = document.querySelectorAll("[data-kk-chat]");
    for (var i = 0; i < elements.length; i++) mount(elements[i]);
  }

  window.KKChat = { mount: mount, version: VERSION };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
