// The "read in the other language" link at the top of every page: it opens the same page
// in the other edition (swapping /en/ and /zh/ in the address, so it works on any host and
// at any depth) and remembers the choice for the site's front page (../index.html).
(function () {
  var KEY = "d2lcnn-lang";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.d2l-lang-switch");
    if (!link) return;
    var to = link.getAttribute("data-lang"), from = to === "zh" ? "en" : "zh";
    try { localStorage.setItem(KEY, to); } catch (e) { /* storage blocked: just switch */ }
    var here = location.href, there = here.replace("/" + from + "/", "/" + to + "/");
    if (there !== here) {
      event.preventDefault();
      location.href = there;
    }
  });
})();
