/* The portal's deep-zoom viewer: the pages of one dossier from its IIIF Presentation 3 manifest,
   shown with OpenSeadragon (served by the portal itself), and a search inside the dossier through
   the manifest's IIIF Content Search 2.0 service, whose hits are drawn as boxes on the page image.
   Everything is driven by the two specifications, not by this portal's URLs. */
(function () {
  "use strict";
  var root = document.getElementById("viewer");
  if (!root || typeof OpenSeadragon === "undefined") { return; }
  var t = function (key, values) {
    var text = root.getAttribute("data-t-" + key) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var select = document.getElementById("page-select");
  var status = document.getElementById("page-status");
  var osdBox = document.getElementById("osd");
  var hitsList = document.getElementById("hits");
  var hitsStatus = document.getElementById("hits-status");
  var canvases = [];
  var hits = [];
  var current = 0;
  var viewer = null;

  function first(value) { return Array.isArray(value) ? value[0] : value; }
  function idOf(thing) { return typeof thing === "string" ? thing : (thing && (thing.id || thing["@id"])) || ""; }
  function label(thing) {
    var l = thing && thing.label;
    if (!l) { return ""; }
    if (typeof l === "string") { return l; }
    var lang = document.documentElement.lang;
    var values = l[lang] || l.nl || l.none || l.en || l[Object.keys(l)[0]] || [];
    return values.join(" ");
  }

  function tileSource(canvas) {
    var page = first(canvas.items || []);
    var anno = page && first(page.items || []);
    var body = anno && first([].concat(anno.body || []));
    var service = body && first([].concat(body.service || []));
    var id = idOf(service);
    return id ? id.replace(/\/$/, "") + "/info.json" : { type: "image", url: idOf(body) };
  }

  function showStatus() {
    var n = current + 1, m = canvases.length;
    var text = t("page", { n: n, m: m }) + (label(canvases[current]) ? ": " + label(canvases[current]) : "");
    status.textContent = text;
    osdBox.setAttribute("aria-label", t("scan", { n: n, m: m, label: label(canvases[current]) }));
    select.value = String(current);
    document.getElementById("prev-page").disabled = current === 0;
    document.getElementById("next-page").disabled = current >= m - 1;
  }

  function targetOf(annotation) {
    /* a hit's canvas id and box: "canvas#xywh=x,y,w,h" or a SpecificResource with a FragmentSelector */
    var target = first([].concat(annotation.target || []));
    var source, fragment;
    if (typeof target === "string") {
      var at = target.indexOf("#");
      source = at < 0 ? target : target.slice(0, at);
      fragment = at < 0 ? "" : target.slice(at + 1);
    } else if (target) {
      source = idOf(target.source);
      var selector = first([].concat(target.selector || []));
      fragment = selector && selector.value ? selector.value : "";
    }
    var m = /xywh=(?:pixel:)?(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)/.exec(fragment || "");
    if (!source || !m) { return null; }
    return { canvas: source, x: +m[1], y: +m[2], w: +m[3], h: +m[4] };
  }

  function drawHits() {
    if (!viewer || !viewer.world.getItemCount()) { return; }
    viewer.clearOverlays();
    var item = viewer.world.getItemAt(0);
    var canvas = canvases[current];
    var size = item.getContentSize();
    var sx = size.x / (canvas.width || size.x), sy = size.y / (canvas.height || size.y);
    hits.forEach(function (hit, i) {
      if (hit.canvas !== idOf(canvas)) { return; }
      var box = document.createElement("div");
      box.className = "hit-box";
      box.setAttribute("data-hit", String(i));
      var rect = item.imageToViewportRectangle(hit.x * sx, hit.y * sy, hit.w * sx, hit.h * sy);
      viewer.addOverlay({ element: box, location: rect });
    });
  }

  function go(index) {
    if (index < 0 || index >= canvases.length) { return; }
    current = index;
    viewer.goToPage(index);
    showStatus();
  }

  function search(query) {
    var service = [].concat(root._manifest.service || []).filter(function (s) {
      return /SearchService2|search\/2/.test((s.type || "") + " " + (s.profile || "") + " " + (s["@context"] || ""));
    })[0];
    hits = [];
    hitsList.innerHTML = "";
    if (!query || !service) { drawHits(); hitsStatus.textContent = ""; return; }
    fetch(idOf(service) + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (page) {
        (page.items || []).forEach(function (a) { var h = targetOf(a); if (h) { hits.push(h); } });
        var index = {};
        canvases.forEach(function (c, i) { index[idOf(c)] = i; });
        hits = hits.filter(function (h) { return h.canvas in index; });
        hits.forEach(function (h, i) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = t("hit", { n: index[h.canvas] + 1 }) + (label(canvases[index[h.canvas]]) ? " (" + label(canvases[index[h.canvas]]) + ")" : "");
          b.addEventListener("click", function () { go(index[h.canvas]); });
          li.appendChild(b);
          hitsList.appendChild(li);
        });
        hitsStatus.textContent = hits.length === 1 ? t("hits1", { q: query })
          : hits.length ? t("hits", { n: hits.length, q: query }) : t("nohits", { q: query });
        if (hits.length && hits[0].canvas !== idOf(canvases[current])) { go(index[hits[0].canvas]); } else { drawHits(); }
      })
      .catch(function () { hitsStatus.textContent = t("error"); });
  }

  fetch(root.getAttribute("data-manifest"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (manifest) {
      root._manifest = manifest;
      canvases = (manifest.items || []).filter(function (c) { return c.type === "Canvas"; });
      select.innerHTML = "";
      canvases.forEach(function (c, i) {
        var o = document.createElement("option");
        o.value = String(i);
        o.textContent = (i + 1) + (label(c) ? " — " + label(c) : "");
        select.appendChild(o);
      });
      current = Math.min(+root.getAttribute("data-start") || 0, Math.max(0, canvases.length - 1));
      viewer = OpenSeadragon({
        element: osdBox, prefixUrl: root.getAttribute("data-osd-images"), tileSources: canvases.map(tileSource),
        sequenceMode: true, initialPage: current, showNavigationControl: false, showSequenceControl: false,
        showNavigator: false, crossOriginPolicy: false, ajaxWithCredentials: true, preserveViewport: false
      });
      root.osd = viewer;  /* for the browser tests */
      viewer.addHandler("open", function () { drawHits(); root.setAttribute("data-ready", "page-" + current); });
      viewer.addHandler("page", function (e) { current = e.page; showStatus(); });
      document.getElementById("prev-page").addEventListener("click", function () { go(current - 1); });
      document.getElementById("next-page").addEventListener("click", function () { go(current + 1); });
      select.addEventListener("change", function () { go(+select.value); });
      document.getElementById("zoom-in").addEventListener("click", function () { viewer.viewport.zoomBy(1.5); });
      document.getElementById("zoom-out").addEventListener("click", function () { viewer.viewport.zoomBy(1 / 1.5); });
      document.getElementById("zoom-home").addEventListener("click", function () { viewer.viewport.goHome(); });
      document.getElementById("search-inside").addEventListener("submit", function (e) {
        e.preventDefault();
        search(document.getElementById("search-q").value.trim());
      });
      showStatus();
      var q = root.getAttribute("data-query");
      if (q) { search(q); }
    })
    .catch(function () { status.textContent = t("error"); });
}());
