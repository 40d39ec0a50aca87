/** The share page's styles: the portal's colours and type (apps/portal/src/styles.css), small enough to inline. */
export const SHARE_PAGE_STYLE = `
:root{--bg:#f4f6fb;--surface:#fff;--text:#0f172a;--muted:#475569;--border:#d5dbe6;--primary:#1d3a8a;--primary-hover:#172f70;--primary-soft:#e6ecfa;--danger:#b42318;--success:#067647;--focus:#f59e0b;--radius:10px;--shadow:0 1px 2px rgba(15,23,42,.06),0 4px 16px rgba(15,23,42,.05)}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--text);background:var(--bg);overflow-wrap:break-word}
a{color:var(--primary)} a:hover{color:var(--primary-hover)} :focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.topbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:space-between;padding:10px 16px;background:var(--surface);border-bottom:1px solid var(--border)}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none;color:var(--primary)}
.btn{display:inline-block;background:var(--primary);color:#fff;border-radius:8px;padding:8px 14px;text-decoration:none;font-weight:600}
.btn:hover{background:var(--primary-hover);color:#fff}
main{max-width:960px;margin:0 auto;padding:16px}
section,details.notebook{background:var(--surface);border:1px solid var(--border);border-radius:var(--radius);box-shadow:var(--shadow);padding:16px 20px;margin:16px 0;min-width:0}
section details.notebook{box-shadow:none;margin:8px 0;padding:8px 12px}
h1{margin:0 0 8px;font-size:1.75rem;line-height:1.25;overflow-wrap:anywhere} h2{font-size:1.2rem;margin:0 0 12px}
.headline{font-size:1.35rem;font-weight:600;margin:4px 0 8px}
p{margin:0 0 .75em} .muted{color:var(--muted)}
dl.metrics{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:12px 0 0}
dl.metrics div{background:var(--primary-soft);border-radius:8px;padding:8px 12px} dt{color:var(--muted);font-size:.85rem} dd{margin:0;font-size:1.25rem;font-weight:600}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse} th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top}
td.ok{color:var(--success)} td.bad{color:var(--danger)} img.thumb{max-width:120px;max-height:90px;display:block}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(260px,100%),1fr));gap:12px} .charts>*{min-width:0} figure{margin:0} svg{width:100%;height:auto} figcaption{color:var(--muted);font-size:.9rem}
ul.files{padding-left:18px;overflow-wrap:anywhere}
ul.wrong{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px}
ul.wrong li{display:flex;gap:8px;align-items:flex-start;overflow-wrap:anywhere} ul.wrong img{width:96px;height:72px;object-fit:cover;border-radius:6px;flex:none}
summary{cursor:pointer;font-weight:600}
.notebook .cell{margin:10px 0} .notebook pre{background:#f6f8fa;padding:8px;overflow:auto;margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.notebook .prompt{color:var(--muted);font:12px monospace} .notebook pre.stderr{background:#fdecea} .notebook img{max-width:100%;height:auto}
.drop{display:block;border:2px dashed var(--border);border-radius:var(--radius);padding:24px;text-align:center;cursor:pointer;background:var(--bg)}
.drop.over{border-color:var(--primary);background:var(--primary-soft)}
.drop input{position:absolute;width:1px;height:1px;opacity:0}
.try-result{margin-top:12px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.try-result img{max-width:160px;max-height:120px;border-radius:6px}
.try-result .label{font-size:1.25rem;font-weight:700}
.try-result .error{color:var(--danger)}
.cta{background:var(--primary-soft)}
footer{color:var(--muted);font-size:.85rem;text-align:center;margin:24px 0}
`;
