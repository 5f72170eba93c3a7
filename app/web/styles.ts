// The one stylesheet, served from /static so the CSP can forbid inline styles elsewhere.

const ANSI_16 = [
  '#3b3b3b', '#e0443e', '#3fae4f', '#d0a21c', '#4c8dde', '#b05fc9', '#2aa9b8', '#c8c8c8',
  '#7a7a7a', '#ff6b66', '#6ad37a', '#f0c84a', '#7fb0ff', '#d68cf0', '#5fd4e0', '#ffffff',
];

const ansiClasses = ANSI_16.map((c, i) => `.a-f${i}{color:${c}}.a-g${i}{background:${c}}`).join('\n');

export const STYLES = `
:root{
  --fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;--accent:#0969da;
  --pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--run:#9a6700;--run-bg:#fff8c5;
  --queue:#57606a;--queue-bg:#eaeef2;--cancel:#6e7781;--cancel-bg:#eaeef2;--err:#bc4c00;--err-bg:#fff1e5;
  --log-bg:#0d1117;--log-fg:#e6edf3;--log-muted:#7d8590;--hl:#3a3000;
  font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;
  font-size:14px;line-height:1.5;color:var(--fg);background:var(--bg);
}
*{box-sizing:border-box}
body{margin:0}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
header.top{background:#24292f;color:#fff;padding:0 24px;display:flex;align-items:center;gap:16px;height:52px}
header.top .logo{color:#fff;font-weight:700;font-size:18px;letter-spacing:.5px}
header.top nav.crumbs{flex:1;display:flex;gap:6px;align-items:center;min-width:0;overflow:hidden;white-space:nowrap}
header.top nav.crumbs a{color:#e6edf3}
header.top nav.crumbs span.sep{color:#8c959f}
header.top .who{display:flex;gap:10px;align-items:center;color:#e6edf3}
header.top .who a,header.top .who button{color:#e6edf3}
main{max-width:1180px;margin:24px auto;padding:0 24px}
main.wide{max-width:none}
h1{font-size:22px;margin:0 0 4px;font-weight:600;word-break:break-all}
h2{font-size:16px;margin:24px 0 8px;font-weight:600}
.sub{color:var(--muted);margin:0 0 16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;background:#f6f8fa}
tr:last-child td{border-bottom:0}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.nowrap{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,monospace;font-size:12.5px}
h1.mono{font-size:20px}
.muted{color:var(--muted)}
.reason{color:var(--muted);font-size:13px}
.st{display:inline-flex;align-items:center;gap:4px;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
.st-passed{color:var(--pass);background:var(--pass-bg)}
.st-failed{color:var(--fail);background:var(--fail-bg)}
.st-errored{color:var(--err);background:var(--err-bg)}
.st-running{color:var(--run);background:var(--run-bg)}
.st-queued,.st-pending,.st-unknown{color:var(--queue);background:var(--queue-bg)}
.st-cancelled,.st-skipped{color:var(--cancel);background:var(--cancel-bg)}
.tag{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;border:1px solid var(--line);color:var(--muted);margin-left:6px}
.banner{padding:12px 16px;border-radius:8px;margin:12px 0;border:1px solid}
.banner.error{background:var(--fail-bg);border-color:#ffcecb;color:#82071e}
.banner.info{background:#ddf4ff;border-color:#b6e3ff}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}
.actions form{margin:0}
button,.button{font:inherit;font-size:13px;padding:4px 12px;border-radius:6px;border:1px solid var(--line);background:#f6f8fa;color:var(--fg);cursor:pointer}
button:hover{background:#eef1f4}
button.danger{color:var(--fail)}
header.top button{background:transparent;border-color:#57606a}
.summary{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0 16px;color:var(--muted)}
.summary b{color:var(--fg)}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain li{padding:8px 12px;border-bottom:1px solid var(--line)}
ul.plain li:last-child{border-bottom:0}
details.repro{margin:12px 0}
details.repro summary{cursor:pointer;font-weight:600}
pre.block{background:var(--log-bg);color:var(--log-fg);padding:12px 16px;border-radius:8px;overflow:auto;margin:8px 0}
.runs a.current{font-weight:700}
.log{background:var(--log-bg);color:var(--log-fg);border-radius:8px;padding:8px 0;overflow-x:auto;
  font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,monospace;font-size:12.5px;line-height:1.45}
.log .l{display:flex;white-space:pre-wrap;word-break:break-all;padding:0 12px 0 0}
.log .l>a{flex:0 0 4.5em;text-align:right;padding-right:12px;color:var(--log-muted);user-select:none}
.log .l>a::before{content:attr(data-n)}
.log .l>time{flex:0 0 auto;color:var(--log-muted);padding-right:10px;user-select:none}
.log .l>span{flex:1;min-width:0}
.log .l:hover{background:#161b22}
.log .l:target,.log .l.hl{background:var(--hl)}
.log .l.hl>a{color:#f0c84a}
.log-empty{color:var(--log-muted);padding:4px 16px}
.log-state{margin:8px 0;color:var(--muted)}
.a-b{font-weight:700}.a-d{opacity:.7}.a-i{font-style:italic}.a-u{text-decoration:underline}
${ansiClasses}
footer{color:var(--muted);text-align:center;padding:24px;font-size:12px}
@media (max-width:700px){.hide-sm{display:none}main{padding:0 8px}}
`;
