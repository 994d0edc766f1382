// Accessibility fixes to the theme's markup (pydata-sphinx-theme), found by the axe-core audit in
// tests/test_accessibility.py. Both buttons exist only where scripts run (class pst-js-only).
(function () {
  function fix() {
    // The search field button shows "Search  Ctrl+K" but is named "Search" by aria-label; a reader
    // who says what they see ("click Search Ctrl K") must hit the name (WCAG 2.5.3, label in name).
    // Without aria-label its name is its visible text.
    document.querySelectorAll(".search-button-field[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
    // The colour-mode button is named "Color mode"; its three icons carry titles (Light, Dark, System
    // Settings), which made them text inside the button that its name lacks. They are decoration:
    // without a title Font Awesome draws an icon hidden from assistive technology, and an icon it has
    // already drawn (an <svg> with a <title>) is hidden here.
    document.querySelectorAll(".theme-switch-button .theme-switch").forEach(function (icon) {
      icon.removeAttribute("title");
      icon.removeAttribute("aria-labelledby");
      icon.removeAttribute("role");
      icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
      icon.setAttribute("aria-hidden", "true");
    });
    // The primary sidebar holds the logo and the search button beside the chapter list, outside
    // any landmark (axe's "region"): the sidebar becomes a labelled complementary landmark.
    var sidebar = document.getElementById("pst-primary-sidebar");
    if (sidebar && !sidebar.hasAttribute("role")) {
      sidebar.setAttribute("role", "complementary");
      sidebar.setAttribute("aria-label", (document.documentElement.lang || "").indexOf("zh") === 0 ? "全书目录" : "Book contents");
    }
    markWideMath();
  }
  // The theme lets a display formula wider than the column scroll sideways (.math mjx-container
  // {overflow:auto}; on a phone many do). A box that scrolls must be reachable by keyboard (axe's
  // scrollable-region-focusable): such a formula is a tab stop, measured first, then marked.
  function markWideMath() {
    var boxes = document.querySelectorAll(".math mjx-container");
    var wide = Array.prototype.map.call(boxes, function (box) { return box.scrollWidth > box.clientWidth; });
    boxes.forEach(function (box, n) {
      if (wide[n]) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }
  window.addEventListener("resize", markWideMath);
  document.addEventListener("DOMContentLoaded", fix);
  window.addEventListener("load", fix);
})();
