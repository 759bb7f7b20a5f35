"""The style sheet of the HTML report.

Verdict colours differ in lightness as well as in hue, and every coloured cell
also says its verdict in words, so the report reads the same printed in grey
or seen without colour vision; a verdict that missed its expectation has a
red frame as well as ✗. The overview tables are set small and dense, so that
the top half of a tall window holds every verdict.
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif;
  color: var(--ink); background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 18px 28px 40px;
  background: #fff; }
h1 { font-size: 26px; margin: 4px 0 2px; }
h2 { font-size: 20px; margin: 30px 0 8px; border-bottom: 2px solid var(--rule);
  padding-bottom: 3px; }
h3 { font-size: 17px; margin: 0 0 6px; }
h4 { font-size: 15px; margin: 14px 0 4px; }
h5 { font-size: 14px; margin: 10px 0 2px; }
p.lead { color: var(--muted); margin: 2px 0 10px; max-width: 70em; }
code, pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace;
  font-size: 13px; }
pre { background: #f6f8fa; border: 1px solid var(--rule); padding: 6px 8px;
  overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
.banner { font-size: 19px; font-weight: 700; padding: 10px 14px; margin: 8px 0;
  border-radius: 6px; border: 3px solid; }
.banner.ok { background: #e6f4ea; border-color: #1a7f37; }
.banner.bad { background: #fde8e8; border-color: #b42318; }
.banner .counts { font-weight: 400; font-size: 15px; margin-left: 10px; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--rule); padding: 3px 8px; text-align: left;
  vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
.cell a { color: inherit; display: block; }
.v-proved { background: #14452f; color: #fff; }
.v-holds { background: #b9e3c6; color: #0b2e1a; }
.v-refuted { background: #f2b48a; color: #3d1703;
  background-image: repeating-linear-gradient(135deg, transparent 0 7px,
  rgba(255,255,255,.35) 7px 10px); }
.v-undecided { background: #e3e5e8; color: #24292f; }
.cell.mismatch { outline: 4px solid #b42318; outline-offset: -4px; }
.mark { font-weight: 700; }
.mismatch .mark, .mark.bad { color: #b42318; }
.v-proved.mismatch .mark { color: #ffb4ab; }
.expected { display: block; font-weight: 400; font-size: 12px; }
div.glance { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr);
  gap: 0 22px; align-items: start; }
div.glance h3 { font-size: 15px; margin: 6px 0 0; }
div.glance p.note { margin: 0 0 3px; font-size: 12px; }
table.glance { width: 100%; font-size: 12px; line-height: 1.2; }
table.glance th, table.glance td { padding: 1px 4px; }
table.glance th { font-size: 11.5px; text-align: center; }
table.glance th.row { font-family: "DejaVu Sans Mono", ui-monospace, monospace;
  font-weight: 400; text-align: left; background: #fafbfc; white-space: nowrap; }
table.glance th.block { background: #dde3ea; }
table.glance colgroup.block { border-left: 3px solid #6e7781; }
table.glance td.cell { text-align: center; font-weight: 700; white-space: nowrap; }
table.glance td.none { text-align: center; color: var(--muted); }
table.glance .expected { font-size: 10.5px; font-weight: 400; }
table.slopes { max-width: 900px; }
table.glance th .under { display: block; font-weight: 400; color: var(--muted); }
ul.glance { list-style: none; margin: 2px 0 0; padding: 0; font-size: 12px;
  line-height: 1.2; }
ul.glance li { margin: 0 0 1px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
ul.glance a { color: inherit; }
ul.glance code { font-size: 11.5px; }
ul.glance .group { color: var(--muted); }
.chip { display: inline-block; min-width: 6.4em; padding: 0 4px; margin-right: 6px;
  border-radius: 3px; font-weight: 700; text-align: center; }
.chip.mismatch { outline: 3px solid #b42318; outline-offset: -1px; }
abbr[title] { text-decoration: none; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0;
  font-size: 13px; align-items: center; }
.legend span.swatch { display: inline-block; padding: 1px 8px;
  border-radius: 3px; font-weight: 700; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 4px;
  font-weight: 700; }
.columns { display: grid; grid-template-columns: 3fr 2fr; gap: 20px; }
section.claim { border: 1px solid var(--rule); border-radius: 6px;
  padding: 12px 16px; margin: 16px 0; }
section.claim.mismatch { border: 3px solid #b42318; }
.verdict-line { margin: 4px 0 8px; }
.statement { margin: 4px 0; }
math[display="block"] { margin: 6px 0; font-size: 18px; }
table.facts math[display="block"] { margin: 0; font-size: 15px; text-align: left; }
.evidence { border-left: 4px solid var(--rule); padding: 2px 0 4px 12px;
  margin: 12px 0; }
.evidence > .summary { margin: 2px 0 6px; }
table.facts td:first-child { color: var(--muted); white-space: nowrap; }
table.facts td { font-size: 14px; }
ol.steps li { margin: 2px 0; }
.replay { background: #fff8e6; border: 1px solid #e0b84a; padding: 6px 10px;
  margin: 8px 0; border-radius: 4px; }
svg.plot { width: 100%; max-width: 820px; height: auto; display: block;
  margin: 6px 0; }
.note { color: var(--muted); font-size: 13px; }
hr.timings { margin: 40px 0 10px; border: 0; border-top: 3px double var(--rule); }
section#timings { color: var(--muted); }
@media (max-width: 900px) { .columns, div.glance { grid-template-columns: 1fr; } }
@media print { body { background: #fff; } main { max-width: none; }
  section.claim { break-inside: avoid; } }
"""
