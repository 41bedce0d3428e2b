/* The supervisor's floor: panels replaced from server-sent events, clocks ticking here.
   Every time on the page is an epoch timestamp from the server (data-since, data-due); the
   browser adds the offset between its clock and the server's, so clocks agree with the
   server whatever the laptop's clock says. */
(function () {
  "use strict";

  var root = document.getElementById("floor");
  if (!root) return;
  var offset = parseFloat(root.dataset.serverTime) - Date.now() / 1000;
  var warnAt = parseFloat(root.dataset.warn || "30");
  var dangerAt = parseFloat(root.dataset.danger || "45");
  var live = document.getElementById("live");
  var feed = document.getElementById("feed");
  var FEED_MAX = 40;

  function serverNow() { return Date.now() / 1000 + offset; }

  function level(seconds) {
    return seconds >= dangerAt ? "danger" : seconds >= warnAt ? "warn" : "ok";
  }

  function setLevel(el, name) {
    el.classList.remove("level-ok", "level-warn", "level-danger");
    el.classList.add("level-" + name);
  }

  function due(at, now) {
    var minutes = Math.round((at - now) / 60);
    if (at > now) return minutes < 1 ? "due now" : "in " + span(minutes);
    var late = Math.round((now - at) / 60);
    return late < 1 ? "overdue" : span(late) + " overdue";
  }

  function span(minutes) {
    if (minutes < 90) return minutes + " min";
    return Math.floor(minutes / 60) + " h " + String(minutes % 60).padStart(2, "0");
  }

  function tick() {
    var now = serverNow();
    root.querySelectorAll("[data-since]").forEach(function (el) {
      var since = parseFloat(el.dataset.since);
      if (!since) return;
      var waited = now - since;
      el.textContent = window.clock(waited);
      if (el.dataset.hold) {
        var name = level(waited);
        setLevel(el, name);
        var row = el.closest("tr.caller");
        if (row) setLevel(row, name);
      }
    });
    root.querySelectorAll("[data-due]").forEach(function (el) {
      var at = parseFloat(el.dataset.due);
      el.textContent = due(at, now);
      var overdue = at <= now;
      el.classList.toggle("badge-overdue", overdue);
      el.classList.toggle("badge-due", !overdue);
    });
  }

  function replacePanels(data) {
    if (typeof data.server_time === "number") {
      offset = data.server_time - Date.now() / 1000;
    }
    Object.keys(data.panels || {}).forEach(function (name) {
      var panel = root.querySelector('[data-panel="' + name + '"]');
      if (panel) panel.innerHTML = data.panels[name];
    });
    tick();
  }

  function addFeedItem(item) {
    var empty = feed.querySelector(".feed-empty");
    if (empty) empty.remove();
    var li = document.createElement("li");
    li.className = "feed-item sev-" + (item.severity || "info") + " fresh";
    li.dataset.type = item.type || "";
    var when = document.createElement("span");
    when.className = "mono muted small";
    when.textContent = item.at ? new Date(item.at * 1000).toISOString().substring(11, 19) : "";
    var text = document.createElement("span");
    text.textContent = item.text;
    li.append(when, text);
    feed.prepend(li);
    setTimeout(function () { li.classList.remove("fresh"); }, 2500);
    while (feed.children.length > FEED_MAX) feed.lastElementChild.remove();
  }

  function setLive(state, label) {
    live.dataset.state = state;
    live.textContent = label;
  }

  function connect() {
    var source = new EventSource(root.dataset.eventsUrl);
    source.onopen = function () { setLive("on", "Live"); };
    source.onerror = function () {
      // EventSource reconnects by itself (after the server's retry delay).
      setLive("off", "Reconnecting…");
    };
    source.addEventListener("snapshot", function (e) {
      setLive("on", "Live");
      replacePanels(JSON.parse(e.data));
    });
    source.addEventListener("figures", function (e) {
      var box = document.getElementById("figures");
      if (box) box.innerHTML = JSON.parse(e.data).html;
    });
    source.addEventListener("floor", function (e) { addFeedItem(JSON.parse(e.data)); });
  }

  // -- actions: CALLS-B's supervisor API and the callbacks API, with the session + CSRF --

  var dialog = document.getElementById("reassign-dialog");
  var form = document.getElementById("reassign-form");
  var pending = null;

  function openReassign(target) {
    pending = target;
    var isCallback = target.kind === "callback";
    document.getElementById("reassign-title").textContent =
      isCallback ? "Reassign callback #" + target.id : "Reassign this caller";
    document.getElementById("reassign-help").textContent = isCallback
      ? "The agent you pick owns the callback from now on."
      : "Send the caller to another queue (they keep their place in time) or straight to an available agent.";
    document.getElementById("reassign-department-field").hidden = isCallback;
    document.getElementById("reassign-agent-label").textContent = isCallback ? "To an agent" : "Or to an agent";
    form.reset();
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || submitter.value !== "ok" || !pending) return;
    var department = form.elements.department.value;
    var agent = form.elements.agent.value;
    var target = pending;
    pending = null;
    if (target.kind === "callback") {
      if (!agent) { window.flash("Pick an agent.", "warning"); return; }
      act("POST", "/api/callbacks/" + target.id + "/assign", { agent: agent },
          "Callback #" + target.id + " is now " + agent + "'s.");
      return;
    }
    if (!department && !agent) { window.flash("Pick a queue or an agent.", "warning"); return; }
    var body = agent ? { agent: agent } : { department: department };
    act("POST", "/api/supervisor/calls/" + target.id + "/reassign", body,
        "Caller reassigned to " + (agent || department) + ".");
  });

  var monitoring = null;
  var OFFLINE = root.dataset.offline === "1";

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // Offline, the supervisor's softphone is the emulator's: put it online before asking to
  // join, and answer it when the call centre rings it into the caller's room. Live, the
  // Voice SDK softphone of the console (another tab) rings and is answered there.
  async function answerMonitorLeg() {
    for (var i = 0; i < 30; i++) {
      try {
        await window.api("POST", "/console/phone/answer", {});
        return true;
      } catch (err) {
        await sleep(500);  // not ringing yet
      }
    }
    window.flash("Your softphone did not ring; try again.", "warning");
    return false;
  }

  function showMonitor(callSid, mode) {
    var bar = document.getElementById("monitor-bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "monitor-bar";
      bar.className = "monitor-bar";
      bar.dataset.testid = "monitor-bar";
      root.prepend(bar);
    }
    bar.innerHTML = "";
    if (!callSid) { bar.remove(); return; }
    var words = { listen: "Listening to the call with", whisper: "Whispering to the agent on the call with",
                  barge: "On the call with" };
    var row = root.querySelector('#panel-calls tr[data-call="' + callSid + '"] strong');
    var who = row ? row.textContent : callSid.slice(-6);
    var text = document.createElement("span");
    text.textContent = (words[mode] || mode) + " " + who + " (on your softphone)";
    var stop = document.createElement("button");
    stop.className = "btn btn-sm btn-danger";
    stop.textContent = "Leave";
    stop.dataset.action = "monitor-stop";
    bar.append(text, stop);
  }

  async function act(method, path, body, done) {
    try {
      var result = await window.api(method, path, body);
      if (done) window.flash(done, "success");
      return result;
    } catch (err) {
      window.flash(err.message, "error");
      return null;
    }
  }

  root.addEventListener("click", async function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    var action = button.dataset.action;
    if (action === "reassign") {
      openReassign({ kind: "call", id: button.dataset.call });
    } else if (action === "reassign-callback") {
      openReassign({ kind: "callback", id: button.dataset.callback });
    } else if (action === "take-back") {
      button.disabled = true;
      await act("POST", "/api/supervisor/calls/" + button.dataset.call + "/take-back", {},
                "Offer to " + button.dataset.agent + " withdrawn.");
    } else if (action === "monitor") {
      var mode = button.dataset.mode;
      var sid = button.dataset.call;
      var joined = monitoring === sid;  // already in the room: only the mode changes
      if (OFFLINE && !joined) {
        try { await window.api("POST", "/console/phone/register", {}); } catch (err) { /* shown below */ }
      }
      var result = await act("POST", "/api/supervisor/calls/" + sid + "/monitor", { mode: mode });
      if (result) {
        monitoring = sid;
        showMonitor(sid, mode);
        if (OFFLINE && !joined) answerMonitorLeg();
      }
    } else if (action === "monitor-stop" && monitoring) {
      await act("DELETE", "/api/supervisor/calls/" + monitoring + "/monitor", undefined, "You left the call.");
      monitoring = null;
      showMonitor(null);
    }
  });

  tick();
  setInterval(tick, 1000);
  connect();
})();
