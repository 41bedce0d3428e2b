/* The screen-pop's callbacks and history on the console (issue #17, item 1).

   `screenPop()` is a small Alpine component nested inside the console's (agentConsole in
   console.js): it reads the console's `context` (GET /api/calls/<sid>/context), `me`, `now`
   and `options`, and uses its helpers (`run`, `log`, `when`, `agentName`, `loadContext`,
   `loadCallbacks`) through Alpine's merged scope, so console.js needs no code of its own
   for it. Names here start with `pop` so they cannot shadow the console's. */
(function () {
  "use strict";

  var KIND_LABELS = {
    voicemail: "Voicemail", missed_call: "Missed call", requested: "Asked to be called back",
  };

  function clockText(seconds) {
    var s = Math.max(0, Math.round(seconds || 0));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function ageText(seconds) {
    var minutes = Math.floor((seconds || 0) / 60);
    if (minutes < 1) return "just now";
    if (minutes < 90) return minutes + " min ago";
    var hours = Math.round(minutes / 60);
    if (hours < 48) return hours + " h ago";
    return Math.round(hours / 24) + " days ago";
  }

  window.screenPop = function () {
    var seenList = null;  // the console's callback list last seen (not reactive on purpose)
    return {
      popHandling: null,
      popNote: "",

      /* The console's own agent is "you"; colleagues by name (the console's directory). */
      popWho: function (identity) {
        return identity && identity === this.settings.identity ? "you" : this.agentName(identity);
      },

      /* ---- open callbacks ---- */
      popCallbacks: function () { return (this.context && this.context.open_callbacks) || []; },
      popCallbacksUnavailable: function () {
        return !!(this.context && (this.context.unavailable || []).includes("open_callbacks"));
      },
      popKind: function (cb) { return KIND_LABELS[cb.kind] || cb.kind; },
      popAge: function (cb) {
        // From when it was opened, on the console's clock (kept to the server's).
        var opened = Date.parse(cb.created_at);
        var seconds = isNaN(opened) ? cb.age_seconds : this.now - opened / 1000;
        return "opened " + ageText(seconds);
      },
      popHolder: function (cb) {
        if (!cb.assigned_to) return "nobody has it yet";
        return this.popWho(cb.assigned_to) + (cb.assigned_to === this.settings.identity ? " have it" : " has it");
      },
      popTranscript: function (cb) {
        var m = cb.message;
        if (m && m.transcription && m.transcription.text) return "“" + m.transcription.text + "”";
        return "";
      },
      // Only once the agent is talking to the caller (or wrapping up their call).
      popCanHandle: function () {
        return ["on_call", "wrap_up"].includes(this.me.state) && !!this.contextSid;
      },
      /* The console re-reads its callback list whenever a callback changes (its event stream)
         and every 30 s: when it does and this caller has callbacks, re-read the screen-pop
         too, so who holds one, or one a colleague just cleared, is never stale. */
      popFollow: function (list) {
        if (list === seenList) return;
        var first = seenList === null;
        seenList = list;
        if (first || !this.contextSid || !this.context) return;
        var c = this.context;
        var number = c.caller && c.caller.number;
        var customerId = c.customer && c.customer.id;
        var theirs = ((list && list.items) || []).some(function (cb) {
          return (customerId && cb.customer && cb.customer.id === customerId) || (number && cb.number === number);
        });
        if (theirs || this.popCallbacks().length) this.loadContext(this.contextSid);
      },
      popStartHandling: function (cb) { this.popHandling = cb.id; this.popNote = ""; },
      popMarkHandled: function (cb) {
        var self = this;
        var sid = this.contextSid;
        return this.run(function () {
          var path = "/api/calls/" + encodeURIComponent(sid) + "/callbacks/" + cb.id + "/handled";
          return api("POST", path, { note: self.popNote }).then(function () {
            self.popHandling = null;
            flash(self.popKind(cb) + " marked handled on this call.", "success");
            self.log("Callback handled on this call");
            self.loadCallbacks();
            return self.loadContext(sid);
          });
        });
      },

      /* ---- recent interactions ---- */
      popHistory: function () { return (this.context && this.context.history) || []; },
      popAnswered: function (item) {
        if (item.agent) {
          var waited = item.wait_seconds ? " after " + clockText(item.wait_seconds) + " waiting" : "";
          return "Answered by " + this.popWho(item.agent) + waited;
        }
        if (item.abandoned) return "Hung up after waiting " + clockText(item.wait_seconds);
        return "Not answered by an agent";
      },
      popOutcome: function (id) {
        var found = ((this.options && this.options.outcomes) || []).find(function (o) { return o.id === id; });
        return found ? found.label : (id || "").replace(/_/g, " ");
      },
      popTag: function (id) {
        var found = ((this.options && this.options.tags) || []).find(function (t) { return t.id === id; });
        return found ? found.label : (id || "").replace(/_/g, " ");
      },
      popTransfers: function (item) {
        var self = this;
        return (item.transfers || []).map(function (t) {
          var to = t.to_agent ? self.popWho(t.to_agent) : (t.target && t.target.id) || "a colleague";
          return (t.mode === "cold" ? "Cold" : "Warm") + " transfer from " + self.popWho(t.from_agent) + " to " + to;
        }).join("; ");
      },
      popLeft: function (item) {
        var self = this;
        var left = (item.callbacks || []).map(function (c) {
          var what = c.kind === "voicemail" ? "Left a voicemail" : (c.kind === "requested" ? "Asked to be called back" : "Missed call");
          var state = c.status === "closed" ? "done: " + (c.outcome || "closed").replace(/_/g, " ") + (c.closed_by ? " by " + self.popWho(c.closed_by) : "") : "still open";
          return what + " in " + c.box.name + " (" + state + ")";
        });
        (item.callbacks_handled || []).forEach(function (c) {
          left.push("An earlier " + (KIND_LABELS[c.kind] || c.kind || "callback").toLowerCase() + " handled on this call by " + self.popWho(c.agent));
        });
        return left.join("; ");
      },
      popSurvey: function (item) {
        return item.survey_rating ? "Survey: " + item.survey_rating + "/5" : "";
      },
    };
  };
})();
