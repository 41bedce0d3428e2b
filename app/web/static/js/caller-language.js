/* The caller's language on the agent console (issue 17: language as a skill).
 *
 * The router offers a caller to an agent who speaks their language; after the ladder's
 * "any language" step, to anyone. The console shows which language the caller is in, big,
 * the moment the phone rings, and says so when it is not one the agent speaks.
 *
 * Read from, in order: the live call (GET /api/calls/<sid>), the screen-pop's record of the
 * call, the offer's screen-pop. Names come from the page's settings (app/web/console.py).
 */
(function () {
  "use strict";

  function codeOf(c) {
    if (c.call && c.call.language) return c.call.language;
    if (c.context && c.context.call && c.context.call.language) return c.context.call.language;
    var pop = c.offer && c.offer.context;
    if (pop && pop.call && pop.call.language) return pop.call.language;
    return "";
  }

  /* {code, name, theirs} for the console component `c`, or null when the call says none. */
  window.callerLanguage = function (c) {
    var code = codeOf(c);
    if (!code) return null;
    var names = (c.settings && c.settings.languages) || {};
    var mine = (c.me && c.me.languages) || [];
    return { code: code, name: names[code] || code.toUpperCase(),
             theirs: mine.length === 0 || mine.indexOf(code) !== -1 };
  };
})();
