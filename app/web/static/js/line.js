/* The agent's persistent line in the console (docs/queue.md, "The agent's line").

   In line mode (settings.ringMode === "line") going available first opens one call from the
   softphone to the app (the Voice SDK's outgoing call with Line=open; offline, the emulated
   softphone's), which waits in the agent's own room. An offer then rings the console, not the
   softphone: a ring tone, the screen-pop, Accept/Reject; Accept asks the API to move the line
   into the caller's room. The line's state (connected, reconnecting, down) shows on the
   softphone card; a line that drops puts the agent away, and going available reconnects.

   `withAgentLine(component, settings)` adds this to the console's Alpine component (called
   at the end of agentConsole in console.js); outside line mode it only adds the state. */
(function () {
  "use strict";

  var LINE_LABELS = {
    none: "No line", connecting: "Line · connecting", connected: "Line · connected",
    reconnecting: "Line · reconnecting", down: "Line · down",
  };
  var LINE_CLASSES = {
    none: "offline", connecting: "ringing", connected: "ok", reconnecting: "warn", down: "danger",
  };
  var OPEN_WAIT_MS = 8000;  // how long the line may take to be answered by the app

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* A ring tone made in the page (no audio file): two short bursts every two seconds. */
  function Ringer() {
    var context = null;
    var timer = null;
    function burst() {
      try {
        context = context || new (window.AudioContext || window.webkitAudioContext)();
        [0, 0.4].forEach(function (offset) {
          var osc = context.createOscillator();
          var gain = context.createGain();
          osc.frequency.value = 440;
          gain.gain.value = 0.08;
          osc.connect(gain); gain.connect(context.destination);
          osc.start(context.currentTime + offset);
          osc.stop(context.currentTime + offset + 0.3);
        });
      } catch (e) { /* no audio (autoplay policy, headless): the screen still shows the offer */ }
    }
    this.start = function () { if (timer) return; burst(); timer = setInterval(burst, 2000); };
    this.stop = function () { if (timer) { clearInterval(timer); timer = null; } };
  }

  window.withAgentLine = function (c, settings) {
    c.line = { state: "none", sid: null, inCall: false };
    c.lineLabel = function () { return LINE_LABELS[this.line.state] || this.line.state; };
    c.lineClass = function () { return "badge-" + (LINE_CLASSES[this.line.state] || "offline"); };
    c.lineMode = function () { return settings.ringMode === "line"; };
    if (settings.ringMode !== "line") return c;

    var base = {
      setState: c.setState, answer: c.answer, reject: c.reject, onAgentEvent: c.onAgentEvent,
      onPhone: c.onPhone, applyPresence: c.applyPresence, isRinging: c.isRinging,
      hangupPhone: c.hangupPhone,
    };
    var ringer = new Ringer();

    /* Open the line (unless it is up) and wait until the app has it in the agent's room. */
    c.openLine = async function () {
      if (this.line.state === "connected") return;
      var self = this;
      this.line.state = "connecting";
      this.line.sid = null;
      if (this.device.openLine) {
        await this.device.openLine({
          connected: function (sid) { self.line.sid = sid; },
          reconnecting: function () { self.line.state = "reconnecting"; self.reportLine("reconnecting"); },
          reconnected: function () { self.line.state = "connected"; self.reportLine("connected"); },
          disconnected: function () { self.line.state = "down"; self.sync(); },
        });
      }
      for (var waited = 0; waited < OPEN_WAIT_MS; waited += 250) {
        var me = await api("GET", "/api/agents/me");
        if (me.line && me.line.state === "connected" && (!this.line.sid || me.line.sid === this.line.sid)) {
          this.line.state = "connected";
          this.line.sid = me.line.sid;
          return;
        }
        await sleep(250);
      }
      this.line.state = "down";
      throw new Error("Your softphone's line did not connect: check the microphone and network, then try again.");
    };

    /* Twilio tells the app nothing of the SDK's reconnecting: the console does, so that no
       caller is offered to an agent who cannot hear them meanwhile. */
    c.reportLine = function (state) {
      var self = this;
      if (!this.line.sid) return Promise.resolve();
      return api("POST", "/api/agents/me/line/state", { line_sid: this.line.sid, state: state })
        .then(function (presence) { self.applyPresence(presence); }, function () {});
    };

    /* Available means reachable: the line comes first. */
    c.setState = function (state, reason) {
      var self = this;
      if (state !== "available" || this.line.state === "connected") return base.setState.call(this, state, reason);
      return this.run(function () { return self.openLine(); }).then(function () {
        if (self.line.state === "connected") return base.setState.call(self, state, reason);
      });
    };

    c.isLineOffer = function () { return !!(this.offer && this.offer.line && this.me.state === "ringing"); };
    c.isRinging = function () { return this.isLineOffer() || base.isRinging.call(this); };

    /* Where Accept and Reject go: a caller's offer, or a colleague's warm transfer. */
    function offerPath(offer, action) {
      if (offer.type === "transfer.offer") return "/api/calls/" + encodeURIComponent(offer.call_sid) + "/transfer/" + action;
      return "/api/agents/me/offer/" + action;
    }

    c.answer = function () {
      if (!this.isLineOffer()) return base.answer.call(this);
      var self = this, sid = this.offer.call_sid, path = offerPath(this.offer, "accept");
      ringer.stop();
      return this.run(function () {
        return api("POST", path, { call_sid: sid }).then(function () {
          self.reminder = "";
          return self.sync();
        }, function (err) {
          if (err.id === "line_down") self.line.state = "down";
          self.offer = null;
          throw err;
        });
      });
    };
    c.reject = function () {
      if (!this.isLineOffer()) return base.reject.call(this);
      var self = this, sid = this.offer.call_sid, path = offerPath(this.offer, "reject");
      ringer.stop();
      return this.run(function () {
        return api("POST", path, { call_sid: sid }).then(function () {
          self.offer = null;
          return self.sync();
        });
      });
    };

    c.onAgentEvent = function (event) {
      var type = event.type || "";
      if (type === "line_down") {
        this.line.state = "down";
        ringer.stop();
        this.log("Your softphone's line dropped: you are away");
        flash("Your softphone's line dropped, so you are away. Go available to reconnect.", "warning", 15);
      } else if (type === "line_up") {
        this.line.state = "connected";
        this.line.sid = event.line_sid || this.line.sid;
      }
      base.onAgentEvent.call(this, event);
      if (this.isLineOffer()) ringer.start(); else ringer.stop();
    };

    /* The line waiting in the agent's room is not a call with someone: the softphone card
       shows it as a call only while it is in a caller's room. */
    c.onPhone = function (data) {
      base.onPhone.call(this, data);
      var talking = this.line.inCall || this.me.state === "on_call";
      if (this.line.sid && this.phone.callSid === this.line.sid && !talking) this.phone.callSid = null;
    };

    /* A callback placed on the line ends with the line going home: hanging up the softphone's
       call would drop the line itself. */
    c.hangupPhone = function () {
      if (!(this.line.inCall && this.phone.callSid === this.line.sid && this.me.state !== "on_call")) {
        return base.hangupPhone.call(this);
      }
      var self = this;
      return this.run(function () {
        return api("POST", "/api/agents/me/line/hangup", {}).then(function () {
          self.dialing = null;
          return self.sync();
        });
      });
    };

    c.applyPresence = function (presence) {
      var wasInCall = this.line.inCall;
      base.applyPresence.call(this, presence);
      var line = presence.line;
      if (line && this.line.state !== "connecting") {
        if (line.state === "down" || line.state === "reconnecting") this.line.state = line.state;
        else if (this.line.state !== "reconnecting") this.line.state = "connected";
        this.line.sid = line.sid || this.line.sid;
        this.line.inCall = !!line.in_call;
      }
      // Answered on the line: the softphone card shows the line as the call it now is.
      if (this.line.inCall && this.line.sid && !this.phone.callSid) {
        this.phone.callSid = this.line.sid;
        this.phone.connectedAt = this.now;
      }
      // A call placed on the line is over once the line is home again.
      if (wasInCall && !this.line.inCall && this.dialing) {
        this.dialing = null;
        if (this.phone.callSid === this.line.sid) this.phone.callSid = null;
      }
      if (!this.isLineOffer()) ringer.stop();
    };

    return c;
  };
})();
