// The site's front page sends a reader to an edition: the one they chose last time
// (remembered by the switch on every page and by the links below), else the browser's language.
// index.html#choose always shows the two links instead.
(function () {
  var KEY = "d2lcnn-lang";
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }  // storage may be blocked
  }
  if (location.hash !== "#choose") {
    var lang = stored();
    if (lang !== "en" && lang !== "zh") {
      var langs = navigator.languages || [navigator.language || ""];
      lang = String(langs[0] || "").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
    }
    location.replace(lang + "/index.html");
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lang]");
    if (link) {
      try { localStorage.setItem(KEY, link.getAttribute("data-lang")); } catch (e) { /* not remembered */ }
    }
  });
})();
