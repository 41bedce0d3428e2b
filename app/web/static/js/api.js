/* Helpers every page may use: JSON calls to the API with the CSRF token, and flash messages. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /** An API error: the contract's {"error": {id, message, details}} as a JS Error. */
  class ApiError extends Error {
    constructor(status, body) {
      var err = (body && body.error) || {};
      super(err.message || ("Request failed (" + status + ")"));
      this.status = status;
      this.id = err.id || "http_" + status;
      this.details = err.details || {};
    }
  }

  /** fetch JSON from our own API; state changes carry the page's CSRF token. */
  async function api(method, path, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrfToken() },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var response = await fetch(path, options);
    var data = null;
    var text = await response.text();
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = null; }
    }
    if (response.status === 401) {
      window.location.href = "/signin?next=" + encodeURIComponent(location.pathname);
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /** Show a message in the flash area; `kind`: info, success, warning, error. */
  function flash(text, kind, seconds) {
    var area = document.getElementById("flashes");
    if (!area) return;
    var box = document.createElement("div");
    box.className = "flash flash-" + (kind || "info");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    var span = document.createElement("span");
    span.textContent = text;
    var close = document.createElement("button");
    close.type = "button"; close.className = "flash-close"; close.textContent = "×";
    close.setAttribute("aria-label", "Dismiss");
    close.onclick = function () { box.remove(); };
    box.append(span, close);
    area.append(box);
    setTimeout(function () { box.remove(); }, (seconds || 6) * 1000);
  }

  /** "1:05" from seconds. */
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    if (m >= 60) return Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    return m + ":" + String(s).padStart(2, "0");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  // Server-rendered flashes fade after a while; errors stay until dismissed.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#flashes .flash:not(.flash-error)").forEach(function (box) {
      setTimeout(function () { box.remove(); }, 8000);
    });
  });

  window.api = api;
  window.ApiError = ApiError;
  window.flash = flash;
  window.clock = clock;
  window.csrfToken = csrfToken;
})();
