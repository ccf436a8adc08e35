/**
 * The report's stylesheet, inlined in the page. Variables and token colours mirror the app's
 * app.css so the report reads like the notebook: same fonts, same stats line, light and dark from
 * the OS, and a print layout (no chrome, cells not split across pages).
 */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --font-ui: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  --font-mono: ui-monospace, 'SF Mono', 'Cascadia Mono', 'JetBrains Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  --bg: #ffffff; --bg-chrome: #f6f7f9; --bg-input: #f7f8fa; --bg-output-err: #fdf2f2;
  --border: #dfe3e8; --border-strong: #c4cad3; --text: #1d2330; --muted: #5d6675; --faint: #8a93a2;
  --accent: #2f6fdb; --accent-soft: #e4edfc; --hit: #fff1c2; --ok: #1f8a4c; --error: #c8372d; --warn: #b66a00;
  --tok-keyword: #a626a4; --tok-string: #2a7a2e; --tok-number: #b35900; --tok-comment: #7b8494;
  --tok-def: #2457b8; --tok-builtin: #0d7d8c; --tok-operator: #5a6272;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #17191d; --bg-chrome: #1e2126; --bg-input: #1f2227; --bg-output-err: #2a1c1c;
    --border: #30353d; --border-strong: #444b55; --text: #e4e7ec; --muted: #a3abb8; --faint: #7c8594;
    --accent: #6ea2ff; --accent-soft: #1f2d47; --hit: #4a3d12; --ok: #4cc27f; --error: #ff7b72; --warn: #f0a73a;
    --tok-keyword: #d291e4; --tok-string: #8fcf7f; --tok-number: #f0a86a; --tok-comment: #7f8898;
    --tok-def: #7fb0ff; --tok-builtin: #5fc8d6; --tok-operator: #aab2bf;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--text); }
body { margin: 0; font: 14px/1.5 var(--font-ui); }
main { max-width: 980px; margin: 0 auto; padding: 28px 24px 64px; }
a { color: var(--accent); }
header.report h1 { font-size: 26px; margin: 0 0 4px; font-weight: 600; overflow-wrap: anywhere; }
header.report .byline { color: var(--muted); font-size: 13px; margin: 0 0 18px; }
section.summary { border: 1px solid var(--border); border-radius: 8px; background: var(--bg-chrome); padding: 14px 16px; margin-bottom: 28px; }
section.packages { border: 1px solid var(--border); border-radius: 8px; padding: 10px 16px; margin-bottom: 28px; }
section.packages table { border-collapse: collapse; font: 13px/1.5 var(--font-mono); }
section.packages th { text-align: left; color: var(--muted); font: 600 12px/1.5 var(--font-ui); padding-right: 24px; }
section.packages td { padding-right: 24px; }
section.summary h2, section.packages h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 10px; font-weight: 600; }
.totals { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0 0 12px; }
.totals div { display: flex; flex-direction: column; }
.totals dt { color: var(--muted); font-size: 12px; }
.totals dd { margin: 0; font: 600 16px/1.3 var(--font-mono); }
figure.fuel-chart { margin: 0; }
figure.fuel-chart svg { width: 100%; height: auto; display: block; }
figure.fuel-chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
.fuel-chart .axis { stroke: var(--border-strong); stroke-width: 1; }
.fuel-chart .grid { stroke: var(--border); stroke-width: 1; stroke-dasharray: 3 3; }
.fuel-chart text { fill: var(--muted); font: 11px var(--font-mono); }
.fuel-chart .bar { fill: var(--accent); }
.fuel-chart .bar.tone-error { fill: var(--error); }
.fuel-chart .bar.tone-warn { fill: var(--warn); }
.fuel-chart .bar.tone-muted { fill: var(--faint); }
.fuel-chart a:hover .bar { opacity: .75; }
.fuel-chart .cut { stroke: var(--bg); stroke-width: 2; fill: none; }
.fuel-chart text.cap-note { font-size: 10px; }
.cell { display: grid; grid-template-columns: 56px minmax(0, 1fr); margin: 0 0 14px; }
.cell > .gutter { font: 12px/1.6 var(--font-mono); color: var(--faint); text-align: right; padding: 8px 10px 0 0; border-right: 3px solid transparent; }
.cell.code > .gutter { border-right-color: var(--border); }
.cell.tone-ok > .gutter { border-right-color: var(--ok); }
.cell.tone-error > .gutter { border-right-color: var(--error); }
.cell.tone-warn > .gutter { border-right-color: var(--warn); }
.cell > .body { padding-left: 12px; min-width: 0; }
pre { margin: 0; font: 13px/1.5 var(--font-mono); white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 4; }
pre.source { background: var(--bg-input); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; }
.outputs { padding: 6px 0 2px; }
.outputs > * + * { margin-top: 6px; }
pre.stream-stderr { background: var(--bg-output-err); border-radius: 4px; padding: 2px 6px; }
.error-output { background: var(--bg-output-err); border-left: 3px solid var(--error); border-radius: 4px; padding: 6px 10px; }
.error-output .ename { font: 600 13px/1.5 var(--font-mono); color: var(--error); margin: 0 0 4px; }
.error-output pre.excerpt { margin-top: 6px; padding-top: 6px; border-top: 1px solid var(--border); }
.excerpt .ln { color: var(--faint); }
.excerpt mark.hit { display: inline-block; min-width: 100%; background: var(--hit); color: inherit; }
.killed { color: var(--warn); font-size: 13px; }
.note, .missing-image { color: var(--faint); font-size: 12px; font-style: italic; }
img.image-output { max-width: 100%; height: auto; display: block; background: #fff; }
.html-output { resize: vertical; overflow: hidden; border: 1px solid var(--border); border-radius: 4px; min-height: 40px; }
.html-output iframe { border: 0; width: 100%; height: 100%; display: block; }
.markdown { overflow-wrap: anywhere; }
.markdown > :first-child { margin-top: 0; }
.markdown > :last-child { margin-bottom: 0; }
.markdown h1, .markdown h2, .markdown h3 { line-height: 1.25; font-weight: 600; }
.markdown img { max-width: 100%; }
.markdown code { font: 0.92em var(--font-mono); background: var(--bg-input); border-radius: 3px; padding: 0 3px; }
.markdown pre { background: var(--bg-input); border-radius: 6px; padding: 8px 10px; }
.markdown pre code { background: none; padding: 0; }
.markdown table { border-collapse: collapse; }
.markdown th, .markdown td { border: 1px solid var(--border); padding: 4px 8px; }
.markdown blockquote { margin: 0; padding-left: 12px; border-left: 3px solid var(--border-strong); color: var(--muted); }
.tex-error { color: var(--error); }
/* The generic 'math' family is often a text font (Chromium on Linux): named OpenType MATH fonts
   first, so a display integral or sum is drawn at its display size, as KaTeX draws it in the app. */
math { font-family: 'STIX Two Math', 'Cambria Math', 'Latin Modern Math', 'DejaVu Math TeX Gyre', math; }
pre.raw { color: var(--muted); }
.stats { font: 12px/1.6 var(--font-mono); color: var(--muted); margin-top: 4px; display: flex; flex-wrap: wrap; align-items: center; gap: 0 6px; }
.stats .item { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.stats .status { font-weight: 600; }
.stats .tone-ok { color: var(--ok); } .stats .tone-error { color: var(--error); } .stats .tone-warn { color: var(--warn); }
.stats svg.fuelbar { vertical-align: middle; }
.fuelbar .track { fill: var(--border); } .fuelbar .fill { fill: var(--accent); }
.tok-keyword, .tok-controlKeyword, .tok-operatorKeyword, .tok-definitionKeyword, .tok-moduleKeyword { color: var(--tok-keyword); }
.tok-string, .tok-string2 { color: var(--tok-string); }
.tok-number, .tok-bool, .tok-atom { color: var(--tok-number); }
.tok-comment { color: var(--tok-comment); font-style: italic; }
.tok-variableName.tok-definition, .tok-propertyName.tok-definition, .tok-className { color: var(--tok-def); }
.tok-standard, .tok-self { color: var(--tok-builtin); }
.tok-operator, .tok-punctuation { color: var(--tok-operator); }
.ansi-black-fg { color: #3e424d; } .ansi-red-fg { color: #e75c58; } .ansi-green-fg { color: #00a250; } .ansi-yellow-fg { color: #ddb62b; }
.ansi-blue-fg { color: #208ffb; } .ansi-magenta-fg { color: #d160c4; } .ansi-cyan-fg { color: #60c6c8; } .ansi-white-fg { color: #c5c1b4; }
.ansi-bright-black-fg { color: #282c36; } .ansi-bright-red-fg { color: #b22b31; } .ansi-bright-green-fg { color: #007427; } .ansi-bright-yellow-fg { color: #b27d12; }
.ansi-bright-blue-fg { color: #0065ca; } .ansi-bright-magenta-fg { color: #a03196; } .ansi-bright-cyan-fg { color: #258f8f; } .ansi-bright-white-fg { color: #a1a6b2; }
.ansi-black-bg { background: #3e424d; } .ansi-red-bg { background: #e75c58; } .ansi-green-bg { background: #00a250; } .ansi-yellow-bg { background: #ddb62b; }
.ansi-blue-bg { background: #208ffb; } .ansi-magenta-bg { background: #d160c4; } .ansi-cyan-bg { background: #60c6c8; } .ansi-white-bg { background: #c5c1b4; }
details.fuel-profile { margin-top: 6px; font-size: 12px; color: var(--muted); }
details.fuel-profile summary { font: 12px/1.6 var(--font-mono); cursor: pointer; }
details.fuel-profile table { border-collapse: collapse; margin-top: 6px; font: 12px/1.5 var(--font-mono); color: var(--text); }
details.fuel-profile caption { text-align: left; color: var(--muted); font: 600 12px/1.5 var(--font-ui); }
details.fuel-profile th { text-align: right; color: var(--muted); font: 600 12px/1.5 var(--font-ui); padding: 0 0 0 18px; }
details.fuel-profile td { text-align: right; padding: 0 0 0 18px; }
details.fuel-profile th:first-child, details.fuel-profile td:first-child { text-align: left; padding-left: 0; overflow-wrap: anywhere; }
footer.report { margin-top: 32px; color: var(--faint); font-size: 12px; text-align: center; }
@media print {
  html { background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  section.summary { break-inside: avoid; background: none; }
  .cell { break-inside: avoid; }
  pre { white-space: pre-wrap; }
  .html-output { resize: none; }
  a { color: inherit; text-decoration: none; }
  footer.report { display: none; }
}
`
