/* Workbench.api: the pages' HTTP. JSON in and out with the session's CSRF token (the form's
   csrfmiddlewaretoken field, as every page carries one) and, for a save, If-Match: "<version>"
   (the version the text was based on; a stale one gets 409 with the current copy).
   Every answer resolves the same way: {ok, status, data, json}: data is the JSON body, or {} when
   the body is not JSON (json false). Only a network failure rejects.
   Classic script: load it with {% static %} before the page script; no build step. */
(function () {
  "use strict";
  var W = window.Workbench = window.Workbench || {};

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // send("PUT", url, {body: {...}, version: 3}) -> Promise<{ok, status, data, json}>
  function send(method, url, options) {
    options = options || {};
    var headers = { "Accept": "application/json" };
    var init = { method: method, credentials: "same-origin", headers: headers };
    if (method !== "GET" && method !== "HEAD") { headers["X-CSRFToken"] = csrf(); }
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (options.version !== undefined && options.version !== null) { headers["If-Match"] = '"' + options.version + '"'; }
    return fetch(url, init).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data || {}, json: true };
      }, function () {
        return { ok: response.ok, status: response.status, data: {}, json: false };
      });
    });
  }

  // The JSON of a GET, or null when it failed (the pages then keep what they show).
  function getJSON(url) {
    return send("GET", url).then(function (result) { return result.ok && result.json ? result.data : null; });
  }

  // A server-rendered part of a page (the boards' rows): its HTML, or null when it failed.
  function getHTML(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .catch(function () { return null; });
  }

  // The API's error body said in one line: its detail, then every field's messages.
  function errors(data) {
    var lines = data && data.detail ? [String(data.detail)] : [];
    var byField = (data && data.errors) || {};
    Object.keys(byField).forEach(function (key) { lines = lines.concat(byField[key]); });
    return lines.join(" ");
  }

  // The site's clock (Asia/Shanghai, as the server renders times): "HH:MM".
  function hhmm(date) {
    try {
      return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai" })
        .format(date);
    } catch (error) {
      return date.toTimeString().slice(0, 5);
    }
  }

  W.api = {
    csrf: csrf,
    send: send,
    get: function (url) { return send("GET", url); },
    put: function (url, body, version) { return send("PUT", url, { body: body, version: version }); },
    post: function (url, body) { return send("POST", url, { body: body }); },
    getJSON: getJSON,
    getHTML: getHTML,
    errors: errors,
    hhmm: hhmm
  };
})();
