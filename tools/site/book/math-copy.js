// Copying text that contains math gives its TeX ($...$ inline, $$...$$ displayed). The math is
// typeset when the book is built (tools/fast_pages.py): its glyphs are CSS, which a plain copy
// would drop, so each formula keeps its TeX in data-tex and this puts it in the clipboard.
(function () {
  function texOf(el) {
    var tex = el.getAttribute("data-tex");
    return el.hasAttribute("data-display") ? "$$" + tex + "$$" : "$" + tex + "$";
  }
  // The plain text of a fragment, each formula replaced by its TeX.
  function plainText(fragment) {
    var box = document.createElement("div");
    box.appendChild(fragment);
    box.querySelectorAll(".math[data-tex]").forEach(function (el) {
      el.replaceWith(document.createTextNode(el.hasAttribute("data-display") ? "\n" + texOf(el) + "\n" : texOf(el)));
    });
    box.querySelectorAll("mjx-assistive-mml").forEach(function (el) { el.remove(); });
    box.style.position = "fixed";
    box.style.left = "-9999px";
    document.body.appendChild(box);
    var text = box.innerText;  // innerText keeps the paragraphs' line breaks (needs layout)
    box.remove();
    return text;
  }
  document.addEventListener("copy", function (event) {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !event.clipboardData) return;
    var range = sel.getRangeAt(0).cloneRange();  // widened below without moving the selection
    var start = range.startContainer.parentElement, end = range.endContainer.parentElement;
    var inStart = start && start.closest(".math[data-tex]"), inEnd = end && end.closest(".math[data-tex]");
    var text;
    if (inStart && inStart === inEnd) {
      text = texOf(inStart);  // a selection inside one formula copies the whole formula
    } else {
      if (inStart) range.setStartBefore(inStart);
      if (inEnd) range.setEndAfter(inEnd);
      var fragment = range.cloneContents();
      if (!fragment.querySelector(".math[data-tex]")) return;  // no math: the browser's own copy
      text = plainText(fragment);
    }
    event.clipboardData.setData("text/plain", text);
    event.preventDefault();
  });
})();
