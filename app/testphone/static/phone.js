/* The test phone: the page asks the app, which drives the emulator's control API. It polls
   for what the caller heard (the emulator's transcript) and appends new lines. */
(function () {
  "use strict";

  var POLL_MS = 600;
  var el = function (id) { return document.getElementById(id); };
  var state = { sid: null, next: 0, timer: null, ended: false };
  var LANGS = JSON.parse(el("phone").dataset.languages || "{}");  // say language -> name
  var FINAL = ["completed", "busy", "failed", "no-answer", "canceled"];
  var ACTIVITY = { gather: "listening for keys", conference: "in the call room", record: "recording",
                   twiml: "connected", bridged: "connected", queue: "in a queue" };

  function line(kind, text, extra) {
    var li = document.createElement("li");
    li.className = "heard heard-" + kind;
    if (extra) {
      var tag = document.createElement("span");
      tag.className = "heard-tag";
      tag.textContent = extra;
      li.append(tag);
    }
    var body = document.createElement("span");
    body.className = "heard-text";
    body.textContent = text;
    li.append(body);
    return li;
  }

  function render(h) {
    var d = h.detail || {};
    switch (h.kind) {
      case "say": return line("say", h.text, LANGS[h.language] || h.language || "");
      case "play": return line("music", h.source === "hold" || h.source === "wait" || h.source === "queue-wait"
        ? "♪ hold music" : "♪ " + (h.url || "audio"), "");
      case "dtmf": return line("you", "You pressed " + (h.text || ""), "");
      case "speech": return line(d.from && d.from.indexOf("client:") === 0 ? "agent" : "you",
        (d.from && d.from.indexOf("client:") === 0 ? d.from.slice(7) + ": " : "You said: ") + h.text, "");
      case "conference":
        if (d.hold) return line("event", "On hold", "");
        if (d.waiting) return line("event", "Waiting for someone to join", "");
        return line("event", "Connected with " + ((d.hears || []).join(", ") || "nobody"), "");
      case "connected": return line("event", "Connected to " + (d.to || ""), "");
      case "ringing": case "ringback": return line("event", "Ringing…", "");
      case "beep": return line("event", "Beep: speak after the tone", "");
      case "silence": return null;
      case "hangup": return line("end", "Call ended", "");
      // A key pressed while no menu was asking: Twilio drops it, so the caller must know.
      case "ignored": return line("ignored", "Nobody heard " + (h.text || "that key") +
        ": nothing was listening. Press it again when a menu asks.", "");
      default: return line("event", h.kind + (h.text ? ": " + h.text : ""), "");
    }
  }

  function append(items) {
    var list = el("transcript");
    var empty = list.querySelector(".empty");
    items.forEach(function (h) {
      var li = render(h);
      if (!li) return;
      if (empty) { empty.remove(); empty = null; }
      list.append(li);
    });
    if (items.length) list.scrollTop = list.scrollHeight;
  }

  function show(data) {
    append(data.heard || []);
    state.next = data.next;
    var status = data.status || "";
    var badge = el("status");
    badge.textContent = (status === "in-progress" ? (ACTIVITY[data.activity] || "connected") : status).replace(/[_-]/g, " ");
    badge.className = "badge " + (FINAL.indexOf(status) >= 0 ? "badge-ended" : status === "in-progress" ? "badge-talking" : "badge-info");
    el("prompting").hidden = !data.awaiting_input;
    if (FINAL.indexOf(status) >= 0 && !state.ended) ended();
  }

  async function poll() {
    if (!state.sid) return;
    try {
      show(await window.api("GET", "/test-phone/calls/" + state.sid + "?since=" + state.next));
    } catch (err) {
      window.flash(err.message, "error");
    }
    if (!state.ended) state.timer = setTimeout(poll, POLL_MS);
  }

  function ended() {
    state.ended = true;
    clearTimeout(state.timer);
    document.querySelectorAll(".key, #say-form button, #say-text").forEach(function (b) { b.disabled = true; });
    el("hangup").hidden = true;
    el("again").hidden = false;
  }

  async function act(action, body) {
    if (!state.sid || state.ended) return;
    // The caller's own side of the line, which the emulator's transcript does not echo.
    if (action === "press") append([{ kind: "dtmf", text: body.digits }]);
    if (action === "say") append([{ kind: "speech", text: body.text, detail: {} }]);
    try {
      body.since = state.next;
      show(await window.api("POST", "/test-phone/calls/" + state.sid + "/" + action, body));
    } catch (err) {
      window.flash(err.message, "error");
    }
  }

  el("dial-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var button = el("dial");
    button.disabled = true;
    try {
      var placed = await window.api("POST", "/test-phone/calls", { from: el("from").value });
      state = { sid: placed.call_sid, next: 0, timer: null, ended: false };
      el("calling-as").textContent = placed.from;
      el("call-sid").textContent = placed.call_sid;
      el("transcript").innerHTML = "";
      el("dial-form").hidden = true;
      el("in-call").hidden = false;
      document.querySelectorAll(".key, #say-form button, #say-text").forEach(function (b) { b.disabled = false; });
      el("hangup").hidden = false;
      el("again").hidden = true;
      poll();
    } catch (err) {
      window.flash(err.message, "error");
    } finally {
      button.disabled = false;
    }
  });

  document.querySelectorAll(".chip[data-number]").forEach(function (chip) {
    chip.addEventListener("click", function () { el("from").value = chip.dataset.number; });
  });
  document.querySelectorAll(".key").forEach(function (key) {
    key.addEventListener("click", function () { act("press", { digits: key.dataset.key }); });
  });
  document.addEventListener("keydown", function (event) {
    if (!state.sid || state.ended || event.target.tagName === "INPUT") return;
    if (/^[0-9*#]$/.test(event.key)) act("press", { digits: event.key });
  });
  el("say-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = el("say-text").value.trim();
    if (text) { act("say", { text: text }); el("say-text").value = ""; }
  });
  el("hangup").addEventListener("click", function () { act("hangup", {}); });
  el("again").addEventListener("click", function () {
    el("in-call").hidden = true;
    el("dial-form").hidden = false;
    state = { sid: null, next: 0, timer: null, ended: false };
  });
})();
