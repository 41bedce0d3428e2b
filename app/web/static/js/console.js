/* The agent console: presence, softphone, the call and its controls, wrap-up, callbacks.
   One Alpine component. The server is the source of truth: every event from the console's
   event stream makes it re-read the agent's presence (and the call), so a missed or
   unfamiliar event never leaves the page wrong for long. */
(function () {
  "use strict";

  var STATE_LABELS = {
    offline: "Offline", available: "Available", ringing: "Ringing", on_call: "On a call",
    wrap_up: "Wrap-up", away: "Away",
  };
  var STATE_CLASSES = {
    offline: "offline", available: "available", ringing: "ringing", on_call: "talking",
    wrap_up: "wrap-up", away: "away",
  };
  var CALL_LABELS = {
    waiting: "Waiting", choosing: "At the offer menu", ringing: "Ringing", talking: "Talking",
    held: "On hold",
    transferring: "Transferring", "wrap-up": "Wrap-up", ended: "Ended",
  };
  var EVENT_TEXT = {
    offer: "A call is ringing", callback_offer: "A requested callback is ringing",
    "transfer.offer": "A colleague is transferring a call to you",
    answered: "You answered", missed: "Missed call: you are now away",
    offer_cancelled: "The caller hung up before you answered",
    unreachable: "Twilio could not ring your softphone; you stay available and will be rung again",
    wrap_up: "Call ended: wrap-up", available: "You are available",
    "hold.started": "Caller on hold", "hold.resumed": "Caller back from hold",
    "hold.warning": "The caller has been on hold a while", "hold.limit": "Hold limit reached",
    "call.ended": "Call ended",
  };

  function timeOfDay(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  /** Seconds since the epoch from an API time (epoch seconds or ISO text). */
  function epoch(value) {
    if (value === null || value === undefined || value === "") return null;
    if (typeof value === "number") return value;
    var parsed = Date.parse(value);
    return isNaN(parsed) ? null : parsed / 1000;
  }

  /* The softphone against the offline emulator: actions through the app (/console/phone/*),
     state from the console's event stream (`phone` events). */
  function EmulatorPhone(component) {
    this.register = function () {
      return api("POST", "/console/phone/register").then(function () {
        component.phone.online = true;
        component.phone.error = "";
      }, function (err) {
        component.phone.online = false;
        component.phone.error = err.message;
      });
    };
    this.answer = function () {
      var sid = component.phone.ringing[0];
      return api("POST", "/console/phone/answer", sid ? { call_sid: sid } : {});
    };
    this.reject = function () {
      var sid = component.phone.ringing[0];
      return api("POST", "/console/phone/reject", sid ? { call_sid: sid } : {});
    };
    this.hangup = function () { return api("POST", "/console/phone/hangup", {}); };
    /* An outgoing call: the emulator's softphone calls the TwiML App (/softphone/outgoing). */
    this.call = function (to) { return api("POST", "/console/phone/call", { to: to }); };
    /* The persistent line (line.js): its state comes from the agent's presence. */
    this.openLine = function (on) {
      return api("POST", "/console/phone/line", {}).then(function (data) { on.connected(data.call_sid); });
    };
  }

  /* The softphone in live mode: Twilio's Voice JavaScript SDK with the API's access token. */
  function TwilioPhone(component) {
    var device = null;
    var incoming = null;
    var active = null;

    function refreshToken() {
      return api("GET", "/api/agents/me/token").then(function (data) { return data.token; });
    }

    this.register = async function () {
      if (!window.Twilio || !window.Twilio.Device) {
        component.phone.error = "The Twilio Voice SDK did not load.";
        return;
      }
      try {
        var token = await refreshToken();
        device = new window.Twilio.Device(token, { closeProtection: true, codecPreferences: ["opus", "pcmu"] });
        device.on("registered", function () { component.phone.online = true; component.phone.error = ""; });
        device.on("unregistered", function () { component.phone.online = false; });
        device.on("error", function (error) { component.phone.error = error.message || String(error); });
        device.on("tokenWillExpire", function () {
          refreshToken().then(function (fresh) { device.updateToken(fresh); });
        });
        device.on("incoming", function (call) {
          incoming = call;
          component.phone.ringing = [call.parameters.CallSid];
          var clear = function () {
            if (incoming === call) { incoming = null; component.phone.ringing = []; }
            if (active === call) { active = null; component.phone.callSid = null; }
            component.sync();
          };
          call.on("cancel", clear);
          call.on("reject", clear);
          call.on("disconnect", clear);
          call.on("accept", function () {
            active = call; incoming = null;
            component.phone.ringing = [];
            component.phone.callSid = call.parameters.CallSid;
            component.phone.connectedAt = component.now;
          });
        });
        await device.register();
      } catch (err) {
        component.phone.online = false;
        component.phone.error = err.message || String(err);
      }
    };
    /* An outgoing call: Twilio asks the TwiML App's voice URL (/softphone/outgoing) with the
       custom parameter To, which decides where it goes. */
    this.call = async function (to) {
      if (!device) throw new Error("The softphone is not connected.");
      var call = await device.connect({ params: { To: to } });
      active = call;
      component.phone.callSid = "outgoing";
      component.phone.connectedAt = component.now;
      call.on("disconnect", function () {
        if (active === call) { active = null; component.phone.callSid = null; }
        component.sync();
      });
    };
    /* The persistent line (line.js): an outgoing call with Line=open, kept open. */
    this.openLine = async function (on) {
      if (!device) throw new Error("The softphone is not connected.");
      var line = await device.connect({ params: { Line: "open" } });
      line.on("accept", function () { on.connected(line.parameters.CallSid); });
      line.on("reconnecting", on.reconnecting);
      line.on("reconnected", on.reconnected);
      line.on("disconnect", on.disconnected);
      line.on("error", on.disconnected);
    };
    this.answer = function () { if (incoming) incoming.accept(); return Promise.resolve(); };
    this.reject = function () { if (incoming) incoming.reject(); return Promise.resolve(); };
    this.hangup = function () {
      if (active) active.disconnect();
      else if (device) device.disconnectAll();
      return Promise.resolve();
    };
  }

  window.agentConsole = function (settings) {
    var component = {
      settings: settings,
      me: { state: "offline", since: null, reason: null, call_sid: null },
      now: Date.now() / 1000,
      skew: 0,
      busy: false,
      awayReason: "Break",
      phone: { mode: settings.mode, online: false, ringing: [], callSid: null, connectedAt: null,
               lines: [], error: "" },
      offer: null,
      context: null,
      contextSid: null,
      call: null,
      reminder: "",
      transferOpen: false,
      transfer: { mode: "warm", kind: "agent", agent: "", department: "" },
      directory: { agents: [], departments: [] },
      options: { outcomes: [], tags: [] },
      wrap: { callSid: null, notes: "", outcome: "", tags: [], anything_else_asked: false },
      wrappedUp: [],
      dialing: null,
      dialTo: "",
      callbacks: { items: [], overdue: 0 },
      callbacksPending: null,
      playing: null,
      clearing: null,
      clearForm: { outcome: "reached", note: "" },
      activity: [],
      device: null,
      clock: window.clock,

      start: function () {
        var self = this;
        setInterval(function () { self.now = Date.now() / 1000 + self.skew; }, 500);
        this.device = settings.mode === "live" ? new TwilioPhone(this) : new EmulatorPhone(this);
        this.device.register();
        this.sync();
        this.loadDirectory();
        this.loadOptions();
        this.loadCallbacks();
        this.connect();
        setInterval(function () { self.loadCallbacks(); }, 30000);
        setInterval(function () { self.loadDirectory(); }, 20000);
        // Wrap-up notes survive a reload of the page.
        try { this.wrappedUp = JSON.parse(sessionStorage.getItem("console.wrappedUp") || "[]"); } catch (e) { /* ignore */ }
        var saved = sessionStorage.getItem("console.wrap");
        if (saved) { try { this.wrap = Object.assign(this.wrap, JSON.parse(saved)); } catch (e) { /* ignore */ } }
        this.$watch("wrap", function (value) { sessionStorage.setItem("console.wrap", JSON.stringify(value)); });
      },

      /* ---- the event stream ---- */
      connect: function () {
        var self = this;
        var source = new EventSource("/console/events");
        source.addEventListener("hello", function (e) {
          var hello = JSON.parse(e.data);
          if (hello.server_time) self.skew = hello.server_time - Date.now() / 1000;
          self.applyPresence(hello);
        });
        source.addEventListener("agent", function (e) { self.onAgentEvent(JSON.parse(e.data)); });
        source.addEventListener("phone", function (e) { self.onPhone(JSON.parse(e.data)); });
        source.onerror = function () { /* EventSource reconnects by itself (retry: 2 s) */ };
      },

      onPhone: function (data) {
        if (data.online === false) { this.phone.error = data.error || "The emulator is not reachable."; return; }
        var wasRinging = this.phone.ringing.length > 0;
        this.phone.ringing = data.ringing || [];
        if (data.call_sid && data.call_sid !== this.phone.callSid) this.phone.connectedAt = this.now;
        if (this.phone.callSid && !data.call_sid && !this.phone.ringing.length) this.dialing = null;
        this.phone.callSid = data.call_sid || null;
        this.phone.error = "";
        this.phone.lines = this.phone.lines.concat(data.lines || []).slice(-200);
        if (!wasRinging && this.phone.ringing.length) {
          this.log("Your softphone is ringing");
          this.sync();
        }
      },

      onAgentEvent: function (event) {
        var type = event.type || "";
        if (type === "callbacks.changed") { this.callbacksChanged(event); return; }
        var text = EVENT_TEXT[type];
        if (type === "state") text = "You are " + (STATE_LABELS[event.state] || event.state).toLowerCase();
        if (type.indexOf("transfer.") === 0 && event.transfer) text = "Transfer " + event.transfer.state.replace("_", " ");
        this.log(text || type);
        if (type === "offer" || type === "callback_offer" || type === "transfer.offer") {
          this.offer = event;
          if (event.context) { this.context = event.context; this.contextSid = event.call_sid; }
          flash(event.context && event.context.customer ? "Incoming call from " + event.context.customer.name : "Incoming call", "info");
        } else if (type === "offer_cancelled" || type === "missed" || type === "unreachable") {
          this.offer = null;
          if (!this.call || !["talking", "held", "transferring"].includes(this.call.state)) {
            this.call = null; this.context = null; this.contextSid = null;
          }
          flash(text, "warning");
        } else if (type === "wrap_up" || type === "call.ended") {
          this.startWrapUp(event.call_sid || (this.call && this.call.call_sid));
        } else if (type === "hold.warning") {
          this.reminder = "The caller has been on hold " + (event.after_seconds || "") + " s: take them back soon.";
        } else if (type === "hold.limit") {
          this.reminder = "Hold limit reached: take the caller back now.";
          flash(this.reminder, "warning");
        } else if (type === "hold.resumed") {
          this.reminder = "Reminder: " + (event.remind || "apologise for the wait and explain what you found.");
        } else if (type.indexOf("transfer.") === 0 && event.transfer && this.call) {
          this.call.transfer = event.transfer;
        } else if (type.indexOf("callback") !== -1) {
          this.loadCallbacks();
        }
        this.sync();
      },

      /* ---- presence and the call ---- */
      applyPresence: function (presence) {
        this.me = presence;
        var sid = presence.call_sid;
        if (sid && sid !== this.contextSid) this.loadContext(sid);
        if (sid && (presence.state === "on_call" || presence.state === "ringing")) this.loadCall(sid);
        if (sid && presence.state === "on_call" && this.loadWords) this.loadWords(sid);  // agent_words.js
        if (!sid && presence.state !== "ringing") this.offer = null;
        if (presence.state === "wrap_up" && !this.wrap.callSid) this.startWrapUp(sid || this.contextSid);
        if (presence.state === "wrap_up" && this.call) this.call = this.endedCall(this.call);
        if (presence.state !== "on_call" && presence.state !== "ringing" && this.call
            && !["ended", "wrap-up"].includes(this.call.state)) {
          this.loadCall(this.call.call_sid);
        }
      },

      endedCall: function (call) {
        // In wrap-up the call is over for this agent, even when it lives on with a colleague
        // after a completed transfer (and the call API no longer answers them about it): it
        // stays on the card for the wrap-up, without controls or a hold clock.
        return Object.assign({}, call, { state: "ended", held_since: null, transfer: null });
      },

      sync: function () {
        var self = this;
        return api("GET", "/api/agents/me").then(function (p) { self.applyPresence(p); }, function () {});
      },

      loadContext: function (sid) {
        var self = this;
        this.contextSid = sid;
        return api("GET", "/api/calls/" + encodeURIComponent(sid) + "/context").then(function (c) {
          if (self.contextSid === sid) self.context = c;
        }, function () {});
      },

      loadCall: function (sid) {
        var self = this;
        return api("GET", "/api/calls/" + encodeURIComponent(sid)).then(function (c) {
          if (self.me.state === "wrap_up") {  // an answer that left before the call ended
            self.call = self.endedCall(c);
            self.startWrapUp(c.call_sid);
            return;
          }
          var wasHeld = self.call && self.call.state === "held";
          self.call = c;
          if (c.state === "held" && !wasHeld) self.reminder = "";
          if (c.state === "ended" || c.state === "wrap-up") self.startWrapUp(c.call_sid);
        }, function (err) {
          // Without the call-controls API (or once the call is gone), show the call as the
          // agent's presence describes it.
          if (err.status === 404) {
            var state = { on_call: "talking", ringing: "ringing", wrap_up: "wrap-up" }[self.me.state] || "ended";
            if (state === "ringing" && self.me.call_sid !== sid) state = "ended";
            self.call = { call_sid: sid, state: state, transfer: null, fromPresence: true };
            if (state === "wrap-up" || state === "ended") self.startWrapUp(sid);
          }
        });
      },

      onCall: function () { return ["ringing", "on_call"].includes(this.me.state); },
      isRinging: function () { return this.phone.ringing.length > 0 || (this.me.state === "ringing" && !this.phone.callSid); },
      stateLabel: function () { return STATE_LABELS[this.me.state] || this.me.state; },
      stateClass: function () { return STATE_CLASSES[this.me.state] || "offline"; },
      stateName: function (state) { return (STATE_LABELS[state] || state || "").toLowerCase(); },
      callStateLabel: function () {
        if (this.call) return CALL_LABELS[this.call.state] || this.call.state;
        return this.isRinging() ? "Ringing" : "Incoming";
      },
      callStateClass: function () { return this.call ? this.call.state : "ringing"; },

      callerName: function () {
        var c = this.context;
        if (c && c.customer && c.customer.name) return c.customer.name;
        if (this.call && this.call.customer && this.call.customer.name) return this.call.customer.name;
        return "Unknown caller";
      },
      callerLine: function () {
        var c = this.context;
        var number = c && c.caller ? (c.caller.number || "Number withheld") : "";
        var dept = this.departmentName();
        return [number, dept !== "—" ? dept : ""].filter(Boolean).join(" · ");
      },
      departmentName: function () {
        var c = this.context;
        if (c && c.call && c.call.department) return c.call.department.name;
        if (this.offer && this.offer.department) return this.offer.department;
        return "—";
      },
      incomingTitle: function () { return this.dialing ? "Callback to " + this.dialing.name : this.callerName(); },
      incomingSubtitle: function () {
        var t = this.activeTransfer();
        if (t && t.to_agent === settings.identity) {
          return (t.mode === "cold" ? "Transferred" : "Warm transfer") + " from " + this.agentName(t.from_agent) + " · " + this.callerLine();
        }
        if (this.offer && this.offer.waited) return "Waited " + this.clock(this.offer.waited) + " · " + this.callerLine();
        return this.callerLine() || "Incoming call";
      },
      agentName: function (identity) {
        var found = this.directory.agents.find(function (a) { return a.identity === identity; });
        return found ? found.name : (identity || "a colleague");
      },
      when: function (value) {
        var t = epoch(value);
        if (t === null) return "";
        var diff = t - this.now;
        var minutes = Math.round(Math.abs(diff) / 60);
        var rel = minutes < 1 ? "now" : (minutes < 90 ? minutes + " min" : Math.round(minutes / 60) + " h");
        var clockTime = new Date(t * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        if (rel === "now") return clockTime + " (now)";
        return clockTime + " (" + (diff > 0 ? "in " + rel : rel + " ago") + ")";
      },

      /* ---- state ---- */
      setState: function (state, reason) {
        var self = this;
        return this.run(function () {
          return api("POST", "/api/agents/me/state", { state: state, reason: reason || "" }).then(function (p) {
            self.applyPresence(p);
          });
        });
      },

      /* ---- softphone ---- */
      answer: function () {
        var self = this;
        return this.run(function () { return self.device.answer().then(function () { self.reminder = ""; return self.sync(); }); });
      },
      dialOut: function () {
        var self = this, to = (this.dialTo || "").trim();
        if (!to) return Promise.resolve();
        return this.run(function () {
          return self.device.call(to).then(function () { self.dialTo = ""; return self.sync(); });
        });
      },
      hangupPhone: function () {
        var self = this;
        return this.run(function () {
          return self.device.hangup().then(function () { self.dialing = null; return self.sync(); });
        });
      },
      reject: function () {
        var self = this;
        return this.run(function () { return self.device.reject().then(function () { self.offer = null; return self.sync(); }); });
      },

      /* ---- call controls (the call-controls API) ---- */
      callPath: function (suffix) { return "/api/calls/" + encodeURIComponent(this.call.call_sid) + suffix; },
      canHold: function () { return this.call && ["talking"].includes(this.call.state); },
      hold: function () {
        var self = this;
        return this.run(function () { return api("POST", self.callPath("/hold"), {}).then(function (c) { self.call = c; self.reminder = ""; }); });
      },
      resume: function () {
        var self = this;
        return this.run(function () {
          return api("POST", self.callPath("/resume"), {}).then(function (c) {
            self.call = c;
            self.reminder = "Reminder: apologise for the wait and explain what you found.";
          });
        });
      },
      hangup: function () {
        var self = this;
        if (this.beforeHangup && !this.beforeHangup()) return Promise.resolve();  // "anything else?"
        return this.run(function () {
          return api("POST", self.callPath("/hangup"), {}).catch(function (err) {
            if (err.status === 404 || err.status === 405) return self.device.hangup();
            throw err;
          }).then(function () { self.startWrapUp(self.call.call_sid); return self.sync(); });
        });
      },
      holdSeconds: function () {
        var since = this.call ? epoch(this.call.held_since) : null;
        return since ? this.now - since : 0;
      },
      holdClass: function () {
        var hold = (this.call && this.call.hold) || { warn_at: settings.holdWarnAt, limit: settings.holdLimit };
        var s = this.holdSeconds();
        if (s >= hold.limit) return "hold-limit";
        if (s >= (hold.warn_at || [30])[0]) return "hold-warn";
        return "";
      },

      transferTarget: function () {
        var t = this.transfer;
        if (t.kind === "agent") return t.agent ? { kind: "agent", id: t.agent } : null;
        if (t.kind === "department") return t.department ? { kind: "department", id: t.department } : null;
        return { kind: "supervisor" };
      },
      activeTransfer: function () {
        var t = this.call && this.call.transfer;
        return t && !["completed", "cancelled", "failed"].includes(t.state) ? t : null;
      },
      targetJoined: function () {
        var t = this.activeTransfer();
        return !!t && ["consulting", "three_way"].includes(t.state);
      },
      transferTitle: function () {
        var t = this.activeTransfer();
        if (!t) return "";
        var target = t.to_agent ? this.agentName(t.to_agent) : (t.target && (t.target.id || "any supervisor")) || "";
        return (t.mode === "cold" ? "Cold transfer to " : "Warm transfer to ") + target;
      },
      transferHint: function () {
        var t = this.activeTransfer();
        if (!t) return "";
        if (t.to_agent === settings.identity) return "You are taking over this call from " + this.agentName(t.from_agent) + ".";
        if (t.state === "initiated" || t.state === "target_ringing") return "Ringing them… the caller stays with you until they join.";
        if (t.state === "consulting") return "They have joined: brief them, then complete (you leave) or bring everyone together.";
        if (t.state === "three_way") return "Everyone is talking. Complete to leave the call to them.";
        return "";
      },
      startTransfer: function () {
        var self = this;
        var target = this.transferTarget();
        return this.run(function () {
          return api("POST", self.callPath("/transfers"), { mode: self.transfer.mode, target: target }).then(function (t) {
            self.call.transfer = t;
            self.transferOpen = false;
            self.reminder = "";
            self.log((t.mode === "cold" ? "Cold" : "Warm") + " transfer started");
          });
        });
      },
      transferAction: function (action) {
        var self = this;
        return this.run(function () {
          return api("POST", self.callPath("/transfer/" + action), {}).then(function (t) {
            self.call.transfer = t;
            if (action === "complete") flash("Transfer completed: the caller is with " + (t.to_agent || "your colleague") + ".", "success");
            return self.sync();
          });
        });
      },

      /* ---- wrap-up ---- */
      loadOptions: function () {
        var self = this;
        return api("GET", "/api/wrapup/options").then(function (o) { self.options = o; }, function () {});
      },
      startWrapUp: function (sid) {
        // Events about a call can arrive after its wrap-up was saved: never ask twice.
        if (!sid || this.wrap.callSid === sid || this.wrappedUp.includes(sid)) return;
        this.wrap = { callSid: sid, notes: "", outcome: "", tags: [],
                      anything_else_asked: !!(this.wordSaidOn && this.wordSaidOn(sid, "anything_else")) };
      },
      wrapRemaining: function () {
        if (this.me.state !== "wrap_up" || !this.me.since) return 0;
        return this.me.since + settings.wrapUpSeconds - this.now;
      },
      submitWrapUp: function () {
        var self = this;
        var w = this.wrap;
        return this.run(function () {
          return api("POST", "/api/calls/" + encodeURIComponent(w.callSid) + "/wrapup", {
            notes: w.notes, outcome: w.outcome, tags: w.tags, anything_else_asked: w.anything_else_asked,
            words_confirmed: self.wordsFor ? self.wordsFor(w.callSid) : [],
          }).then(function () {
            self.wrappedUp = self.wrappedUp.concat([w.callSid]).slice(-20);
            sessionStorage.setItem("console.wrappedUp", JSON.stringify(self.wrappedUp));
            flash("Wrap-up saved.", "success");
            self.log("Wrap-up saved");
            self.wrap = { callSid: null, notes: "", outcome: "", tags: [], anything_else_asked: false };
            self.call = null; self.context = null; self.contextSid = null; self.offer = null; self.reminder = "";
            return self.sync();
          });
        });
      },

      /* ---- callbacks ---- */
      /* A message landed or a colleague took or cleared a callback (`callbacks.changed` on
         the event stream): re-read the list. A burst (the overdue sweep escalating many, a
         caller's message and its transcription callbacks) is one request: the first event
         schedules it, the rest ride along. The 30 s poll stays as a safety net. */
      callbacksChanged: function (event) {
        var self = this;
        var news = (event.changes || []).filter(function (c) { return c.by !== settings.identity; });
        if (news.some(function (c) { return c.change === "message_recorded"; })) this.log("New voicemail in your callbacks");
        else if (news.some(function (c) { return c.change === "created"; })) this.log("New callback to return");
        news.filter(function (c) { return c.change === "claimed" || c.change === "cleared"; })
          .forEach(function (c) { self.log(self.agentName(c.by) + (c.change === "cleared" ? " cleared" : " took") + " a callback"); });
        if (this.callbacksPending) return;
        this.callbacksPending = setTimeout(function () {
          self.callbacksPending = null;
          self.loadCallbacks();
        }, 300);
      },
      loadCallbacks: function () {
        var self = this;
        return api("GET", "/api/callbacks").then(function (data) {
          self.callbacks = { items: data.callbacks || [], overdue: data.overdue || 0 };
        }, function () {});
      },
      transcript: function (cb) {
        var m = cb.message;
        if (!m) return cb.kind === "requested" ? "Asked to be called back." : "";
        if (m.transcription && m.transcription.text) return "“" + m.transcription.text + "”";
        if (m.transcription && m.transcription.status === "pending") return "Transcribing…";
        return "Voicemail";
      },
      callbackAction: function (cb, action) {
        var self = this;
        return this.run(function () {
          return api("POST", "/api/callbacks/" + cb.id + "/" + action, {}).then(function (data) {
            var name = cb.customer ? cb.customer.name : (cb.number || "the customer");
            self.log(action === "call" ? "Calling back " + name : "Callback claimed");
            if (action === "call") {
              self.dialing = { id: cb.id, name: name, number: cb.number };
              flash(data && data.via === "line" ? "Calling " + name + " on your line."
                : "Your softphone rings first, then " + name + ".", "info");
            }
            // On the line, the presence says the line is in a call: the card shows it.
            return Promise.all([self.loadCallbacks(), self.sync()]);
          });
        });
      },
      clearCallback: function (cb) {
        var self = this;
        return this.run(function () {
          return api("POST", "/api/callbacks/" + cb.id + "/clear", self.clearForm).then(function () {
            self.clearing = null;
            flash("Callback cleared.", "success");
            self.log("Callback cleared (" + self.clearForm.outcome.replace("_", " ") + ")");
            return self.loadCallbacks();
          });
        });
      },

      loadDirectory: function () {
        var self = this;
        return api("GET", "/console/directory").then(function (d) { self.directory = d; }, function () {});
      },

      /* ---- helpers ---- */
      run: function (action) {
        var self = this;
        this.busy = true;
        return Promise.resolve().then(action).catch(function (err) {
          flash(err.message || String(err), "error");
        }).finally(function () { self.busy = false; });
      },
      log: function (text) {
        var at = new Date();
        this.activity.unshift({ key: at.getTime() + Math.random(), time: timeOfDay(at), text: text });
        this.activity = this.activity.slice(0, 40);
      },
    };
    // The persistent line (static/js/line.js): its state, and offers on the console.
    return window.withAgentLine ? window.withAgentLine(component, settings) : component;
  };
})();
