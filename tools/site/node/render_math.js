// Build-time math: TeX -> CHTML with MathJax's own renderer (mathjax-full), so that no page
// downloads a TeX engine. Run by tools/build_book.py with NODE_PATH pointing at the pinned
// mathjax-full; reads JSON on stdin, writes JSON on stdout:
//   in:  {"fontURL": "...", "pages": [[{"tex": "...", "display": true}, ...], ...]}
//   out: {"pages": [{"html": ["<mjx-container ...>", ...], "css": "..."}, ...]}
// Each page gets its own stylesheet holding only the glyphs that page uses. Every formula also
// carries its MathML (MathJax's assistive MathML), which screen readers read instead of the glyphs.
// A TeX error stops the build (no red error boxes in the book).
const {mathjax} = require("mathjax-full/js/mathjax.js");
const {TeX} = require("mathjax-full/js/input/tex.js");
const {CHTML} = require("mathjax-full/js/output/chtml.js");
const {liteAdaptor} = require("mathjax-full/js/adaptors/liteAdaptor.js");
const {RegisterHTMLHandler} = require("mathjax-full/js/handlers/html.js");
const {AssistiveMmlHandler} = require("mathjax-full/js/a11y/assistive-mml.js");
const {AllPackages} = require("mathjax-full/js/input/tex/AllPackages.js");

// Packages that hide mistakes (render unknown macros or errors in red) or fetch code at run time.
const SKIP = new Set(["noerrors", "noundefined", "autoload", "require"]);
const PACKAGES = AllPackages.filter((name) => !SKIP.has(name));

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));

function renderPage(items, fontURL) {
  const tex = new TeX({
    packages: PACKAGES,
    formatError: (jax, err) => { throw err; },
  });
  const chtml = new CHTML({fontURL, adaptiveCSS: true});
  const doc = mathjax.document("", {InputJax: tex, OutputJax: chtml});
  const html = items.map(({tex: source, display}) => {
    try {
      const node = doc.convert(source, {display, em: 16, ex: 8, containerWidth: 80 * 16});
      return adaptor.outerHTML(node);
    } catch (err) {
      throw new Error(`TeX error in ${JSON.stringify(source)}: ${err.message}`);
    }
  });
  const css = adaptor.textContent(chtml.styleSheet(doc));
  return {html, css};
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  try {
    const {fontURL, pages} = JSON.parse(input);
    const out = {pages: pages.map((items) => renderPage(items, fontURL))};
    process.stdout.write(JSON.stringify(out));
  } catch (err) {
    process.stderr.write(String(err.message || err) + "\n");
    process.exit(1);
  }
});
