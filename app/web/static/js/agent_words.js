/* The agent's own words on a call (R9, R5, R11), mixed into the console's component.

   On answer the console loads GET /api/calls/<sid>/words: the greeting (the agent's name,
   the organisation, the department) and, when the caller waited, the reason and an
   apology, in the caller's language with English beside it. The agent ticks each line as
   said. Hang up first asks "Anything else?" until the agent confirms asking it (or chooses
   to hang up without). What was confirmed goes with the wrap-up (`words_confirmed`) and
   ticks its "anything else?" check. Kept in sessionStorage, so a reload keeps the ticks.

   Loaded after console.js (console.html), it extends `agentConsole` with these; console.js
   calls loadWords (on answer), beforeHangup (on Hang up) and wordsFor / wordSaidOn (wrap-up),
   each only if present. */
(function () {
  var STORE = "console.words";

  function empty() { return { callSid: null, body: null, confirmed: [] }; }

  // What a reload finds: the last call's lines and ticks (a wrap-up after a reload needs them).
  function stored() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      return saved && saved.callSid ? Object.assign(empty(), saved) : empty();
    } catch (e) { return empty(); }  // a damaged entry is forgotten
  }

  function mixin() {
    return {
      words: stored(),
      askingAnythingElse: false,

      saveWords: function () { sessionStorage.setItem(STORE, JSON.stringify(this.words)); },

      loadWords: function (sid) {
        var self = this;
        if (!sid || (this.words.callSid === sid && this.words.body)) return Promise.resolve();
        return api("GET", "/api/calls/" + encodeURIComponent(sid) + "/words").then(function (body) {
          var kept = self.words.callSid === sid ? self.words.confirmed : [];
          self.words = { callSid: sid, body: body, confirmed: kept };
          self.saveWords();
        }, function () { /* no words (the call is gone): the console works without them */ });
      },

      wordsShown: function () {
        var call = this.call;
        return !!(this.words.body && call && this.words.callSid === call.call_sid
                  && ["talking", "held", "transferring"].includes(call.state));
      },
      // The lines said while talking; "anything else?" comes at hang-up.
      wordLines: function () {
        return ((this.words.body && this.words.body.lines) || []).filter(function (l) { return l.key !== "anything_else"; });
      },
      wordLine: function (key) {
        return ((this.words.body && this.words.body.lines) || []).find(function (l) { return l.key === key; }) || null;
      },
      waitedLine: function () {
        var b = this.words.body;
        if (!b || b.waited_seconds == null) return "";
        var why = { busy: "everyone was busy", missed: "a colleague missed the ring", transfer: "a transfer" }[b.wait_reason];
        return "Waited " + Math.round(b.waited_seconds) + " s" + (why ? " · " + why : "");
      },
      wordSaid: function (key) { return this.words.confirmed.includes(key); },
      wordSaidOn: function (sid, key) { return this.words.callSid === sid && this.wordSaid(key); },
      confirmWord: function (key) {
        if (this.wordSaid(key)) return;
        this.words.confirmed = this.words.confirmed.concat([key]);
        this.saveWords();
      },
      wordsFor: function (sid) { return this.words.callSid === sid ? this.words.confirmed.slice() : []; },

      // Hang up asks "anything else?" first, once, unless it is said already.
      beforeHangup: function () {
        if (this.askingAnythingElse || !this.wordLine("anything_else") || this.wordSaid("anything_else")) {
          this.askingAnythingElse = false;
          return true;
        }
        this.askingAnythingElse = true;
        return false;
      },
      confirmAnythingElse: function () {
        this.confirmWord("anything_else");
        this.askingAnythingElse = false;
        return this.hangup();
      },
      hangUpWithoutAsking: function () { return this.hangup(); },
    };
  }

  var agentConsole = window.agentConsole;
  window.agentConsole = function (settings) { return Object.assign(agentConsole(settings), mixin()); };
})();
