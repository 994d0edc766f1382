// Build-time CSS trimming: the theme's stylesheet bundle (Bootstrap, the theme, sphinx-design,
// MyST-NB: 463 KB, 70 KB gzip) without the rules no page of the edition can use, so that the one
// file the first paint waits for is small. Run by tools/fast_pages.py with NODE_PATH pointing at
// the pinned purgecss; reads JSON on stdin, writes the trimmed CSS on stdout:
//   in:  {"css": "...", "content": [{"raw": "<html>...", "extension": "html"}, {"raw": "...", "extension": "js"}, ...]}
// A rule is kept when every class, id and tag it names occurs as a word in a page or a script
// (the scripts' words keep the classes they add at run time: "show", "collapsing", ...).
// @font-face rules, keyframes and custom properties are all kept.
const {PurgeCSS} = require("purgecss");

// Names that Bootstrap's scripts build at run time from pieces ("bs-" + "tooltip" + "-auto",
// data-bs-popper, data-popper-placement), so no page or script holds them as one word.
const SAFELIST = {
  standard: [/^bs-/, /^tooltip/, /^popover/],
  greedy: [/data-bs-popper/, /data-popper-placement/],
};

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const {css, content} = JSON.parse(input);
  const [result] = await new PurgeCSS().purge({
    content, css: [{raw: css}], safelist: SAFELIST,
    fontFace: false, keyframes: false, variables: false,
  });
  process.stdout.write(result.css);
});
