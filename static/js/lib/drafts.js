/* Workbench.drafts: nothing typed is lost. A page that edits one object gives how to read its form,
   how to put data back into it, and what to PUT; this keeps the rest:
   - the draft on this device: localStorage[key] = {base, dirty: true, data, at} (base: the version
     the text was based on), written at each change, removed once the server has it all;
   - autosave: one PUT with If-Match: "<base>" DELAY ms after the last change (while autosave is
     on); offline or after a failed save it waits, and is sent on the `online` event and every
     RETRY ms;
   - a 409 with the current copy: when it says the same as the form, its version is taken;
     otherwise the autosave stops and onConflict(current) shows the merge panel, until resolve().
   Needs lib/api.js. */
(function () {
  "use strict";
  var W = window.Workbench = window.Workbench || {};
  var DELAY = 2000;
  var RETRY = 5000;

  function store(key, upgrade) {
    return {
      load: function () {
        var raw;
        try { raw = JSON.parse(localStorage.getItem(key) || "null"); } catch (error) { return null; }
        if (raw && raw.data === undefined && upgrade) { raw = upgrade(raw); }  // kept by an older page
        if (!raw || raw.dirty === false || raw.data === undefined || raw.data === null || typeof raw.base !== "number") { return null; }
        return { base: raw.base, data: raw.data };
      },
      save: function (base, data) {
        try {
          localStorage.setItem(key, JSON.stringify({ base: base, dirty: true, data: data, at: Date.now() }));
        } catch (error) { /* private mode or full: the server copy is all there is */ }
      },
      forget: function () {
        try { localStorage.removeItem(key); } catch (error) { /* nothing kept */ }
      }
    };
  }

  /* autosave(o) with
     o.url, o.key, o.version (the server's), o.enabled (autosave on), o.status (the #save-status
     element: its data-<state> texts, "%s" the time), o.read() -> data, o.apply(data),
     o.same(a, b) -> the same text?, o.body(data) -> what is PUT (the merge flag and save's extra
     are added), and optionally o.capture() -> what onSaved gets with the answer,
     o.onSaved(answer, sent, captured, merged), o.onConflict(current), o.onInvalid(data),
     o.onVersion(version), o.upgrade(raw) -> {base, data} for a draft kept in an older form. */
  function autosave(o) {
    var drafts = store(o.key, o.upgrade);
    var base = o.version;
    var dirty = false;      // the form holds text the server has not got
    var retry = false;      // the last try failed for the network or the server: send it again
    var merging = null;     // the server's copy while the merge panel is open
    var merged = false;     // the next save resolves a conflict
    var saving = null, again = false, timer = null;
    var nothing = function () {};
    var onSaved = o.onSaved || nothing, onConflict = o.onConflict || nothing;
    var onInvalid = o.onInvalid || nothing, onVersion = o.onVersion || nothing;

    function say(kind, value) {
      if (!o.status) { return; }
      var text = o.status.dataset[kind];
      o.status.dataset.state = kind;
      o.status.textContent = text === undefined ? (value || "") : text.replace("%s", value || "");
    }

    function savedAt(data) {
      say("saved", W.api.hhmm(data && data.saved_at ? new Date(data.saved_at) : new Date()));
    }

    function setBase(version) {
      base = version;
      onVersion(version);
    }

    function keep() {
      if (dirty) { drafts.save(base, o.read()); } else { drafts.forget(); }
    }

    function schedule() {
      if (!o.enabled || merging) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { save(); }, DELAY);
    }

    function changed() {
      dirty = true;
      keep();
      schedule();
    }

    /* One PUT of what the form holds now; resolves true once the server has it. Without extra
       it is sent only when something is unsaved; with extra (e.g. {label}, {reason}) always. */
    function save(extra) {
      clearTimeout(timer);
      if (merging) { return Promise.resolve(false); }
      if (saving) {
        if (extra) { return saving.then(function () { return save(extra); }); }
        again = true;
        return saving;
      }
      if (!dirty && !extra) { return Promise.resolve(true); }
      if (navigator.onLine === false) { retry = true; say("offline"); return Promise.resolve(false); }
      var sent = o.read();
      var captured = o.capture ? o.capture() : null;
      var wasMerged = merged;
      var payload = o.body(sent);
      if (wasMerged) { payload.merged = true; }
      Object.keys(extra || {}).forEach(function (name) { payload[name] = extra[name]; });
      say("saving");
      saving = W.api.put(o.url, payload, base).then(function (result) {
        var data = result.data;
        retry = false;
        if (result.status === 200) {
          setBase(data.version);
          if (wasMerged) { merged = false; }
          onSaved(data, sent, captured, wasMerged);
          if (o.same(o.read(), sent)) { dirty = false; }
          keep();
          savedAt(data);
          return true;
        }
        if (result.status === 409 && data.current) { conflict(data.current); return false; }
        if (result.status === 400) { say("invalid"); onInvalid(data); return false; }
        if (result.status === 409 && data.detail) { say("refused", data.detail); return false; }  // closed meanwhile
        retry = true;
        say("error");
        return false;
      }, function () {
        retry = true;
        say(navigator.onLine === false ? "offline" : "error");
        return false;
      }).then(function (ok) {
        saving = null;
        var now = again;
        again = false;
        if (ok && dirty && o.enabled && !merging) {
          if (now) { return save(); }
          schedule();
        }
        return ok;
      });
      return saving;
    }

    // Send what waits: on the network's return, every RETRY ms, and on load.
    function flush() {
      if (dirty && retry && o.enabled && !merging && !saving) { save(); }
    }

    // Save until the server has everything typed (before leaving for the submit step).
    function saveAll() {
      return save().then(function (ok) { return ok && dirty ? saveAll() : ok; });
    }

    // The server's copy differs from the one this form was based on.
    function conflict(current) {
      clearTimeout(timer);
      if (o.same(o.read(), current)) {  // both devices say the same: take the server's ids and version
        setBase(current.version);
        o.apply(current);
        dirty = false;
        keep();
        savedAt(current);
        return;
      }
      merging = current;
      dirty = true;
      keep();
      say("conflict");
      onConflict(current);
    }

    // "Save the merged text": it is based on the server's copy now.
    function resolve(extra) {
      if (merging) {
        setBase(merging.version);
        merging = null;
        merged = true;
        dirty = true;
        retry = true;  // offline now: sent when the network returns
        keep();        // a reload puts the merged text back, on the current version, and saves it
      }
      return save(extra);
    }

    // A draft kept on this device that the server has not got (null: there is none; forgotten).
    function draft(server) {
      var kept = drafts.load();
      if (!kept || o.same(kept.data, server)) { drafts.forget(); return null; }
      return kept;
    }

    // The form now holds a draft put back from this device.
    function restored() {
      dirty = true;
      retry = true;
    }

    // Taken from the server (nothing here was unsaved): based on its version now.
    function reset(version) {
      setBase(version);
      dirty = false;
      keep();
    }

    window.addEventListener("online", flush);
    setInterval(flush, RETRY);
    window.addEventListener("pagehide", keep);

    return {
      changed: changed, keep: keep, save: save, saveAll: saveAll, flush: flush, conflict: conflict,
      resolve: resolve, draft: draft, restored: restored, reset: reset, say: say,
      stop: function () { clearTimeout(timer); },
      dirty: function () { return dirty; },
      base: function () { return base; },
      merging: function () { return merging; }
    };
  }

  W.drafts = { store: store, autosave: autosave, DELAY: DELAY, RETRY: RETRY };
})();
