"""The report page's stylesheet and script, inlined into report.html (the page fetches nothing)."""

STYLE = """
:root{--ok:#2a9d47;--bad:#d63a3a;--muted:#667;--line:#dde}
*{box-sizing:border-box}[hidden]{display:none!important}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f7;color:#1d1f24}
header.top{background:#fff;padding:14px 24px 10px;border-bottom:1px solid var(--line)}
h1{font-size:20px;margin:0 0 10px}h1 .state{font-size:13px;font-weight:400;color:var(--muted);margin-left:8px}
h2{font-size:16px;margin:0;font-family:ui-monospace,Menlo,monospace}h3{font-size:13px;margin:10px 0 6px;color:#444}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#f8f9fb;border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:140px}
.card .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card .big{font-size:24px;font-weight:650}.card .detail{font-size:12px;color:var(--muted)}
.settings{margin:10px 0}.settings table{border-collapse:collapse;font-size:12px;margin-top:6px}
.settings th{text-align:left;font-weight:500;color:var(--muted);padding:1px 12px 1px 0}
.summary{display:flex;flex-wrap:wrap;gap:10px 24px}.facts{flex:1 1 560px}.plotbox h3{margin-top:0}
svg.plot text{font-size:11px;fill:#444}
.dots{margin:8px 0;line-height:0}
.dot{display:inline-block;width:11px;height:11px;margin:1px;border-radius:2px;background:#bbb}
#filters{margin-top:8px}
#filters button{font:inherit;border:1px solid #bbc;background:#fff;border-radius:14px;padding:2px 12px;margin:0 2px;
cursor:pointer}
#filters button[aria-pressed=true]{background:#1d1f24;color:#fff;border-color:#1d1f24}
.shown{color:var(--muted);margin-left:8px}
section.task{background:#fff;border:1px solid var(--line);border-radius:8px;margin:12px 24px;padding:10px 16px 14px;
content-visibility:auto;contain-intrinsic-size:auto 520px}
.head{display:flex;flex-wrap:wrap;gap:10px;align-items:center}.head .time,.note{color:var(--muted);font-size:12px}
.head .json{margin-left:auto;font-size:12px}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;
background:#999}
.done{background:#5b6478}.failed{background:var(--bad)}.invalid{background:#8e44ad}.timeout{background:#e67e22}
.pending{background:#aab}.right{background:var(--ok)}.wrong{background:var(--bad)}.unknown{background:#aab}
.cause{color:var(--bad);margin:6px 0;font-family:ui-monospace,Menlo,monospace;font-size:12px}
.pairs,.row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.pair{display:flex;gap:6px;align-items:center;padding:6px;border:1px solid #eef;border-radius:6px;background:#fafbfc}
.arrow{color:#99a;font-size:18px}
figure{margin:0;display:inline-flex;flex-direction:column;align-items:center;gap:3px}
figcaption{font-size:11px;color:var(--muted)}
svg.g{display:block;outline:1px solid #888}svg.g g{shape-rendering:crispEdges}svg.g path{fill:none}
figure.ok svg.g{outline:3px solid var(--ok)}figure.bad svg.g{outline:3px solid var(--bad)}
figure.ok figcaption{color:var(--ok);font-weight:600}figure.bad figcaption{color:var(--bad);font-weight:600}
figure.fallback svg.g{outline-style:dashed}figcaption .source{display:block;font-weight:400;color:var(--muted);
font-style:italic}
.nogrid{width:40px;height:40px;border:1px dashed #bbb;color:#999;font-size:11px;display:flex;align-items:center;
justify-content:center}
.test{border-top:1px solid #eef;margin-top:10px}
table.votes{border-collapse:collapse;margin-top:8px;font-size:12px}
table.votes caption{text-align:left;color:var(--muted);padding-bottom:3px}
table.votes td{padding:3px 8px 3px 0;vertical-align:middle}table.votes tr.truth{background:#eaf7ee}
.bar{width:140px;height:10px;background:#e8e9ee;border-radius:5px;overflow:hidden}
.bar span{display:block;height:100%;background:#0074D9}.novote,p.none{color:var(--muted);font-style:italic}
.expert{display:inline-block;background:#eef;border-radius:4px;padding:0 5px;margin-right:3px}
b.ok{color:var(--ok)}code{background:#f3f4f7;padding:1px 4px;border-radius:3px}
.ft{display:flex;align-items:center;gap:10px;margin-top:10px;font-size:12px;color:var(--muted)}
"""

SCRIPT = """
(function(){
var buttons=document.querySelectorAll('#filters button');
function show(f){var n=0;document.querySelectorAll('section.task').forEach(function(s){
var on=f==='all'||s.dataset.status===f||s.dataset.verdict===f||s.dataset.answer===f;s.hidden=!on;if(on)n++;});
buttons.forEach(function(b){b.setAttribute('aria-pressed',String(b.dataset.filter===f));});
document.getElementById('shown').textContent=n;try{sessionStorage.setItem('arc-report-filter',f);}catch(e){}}
buttons.forEach(function(b){b.addEventListener('click',function(){show(b.dataset.filter);});});
var saved=null;try{saved=sessionStorage.getItem('arc-report-filter');}catch(e){}
if(saved&&document.querySelector('#filters button[data-filter="'+saved+'"]'))show(saved);
// report.html#task-<id> opens on that task, even when a filter chosen earlier hides it; sections are laid
// out lazily (content-visibility), so the browser's own jump can land on estimated positions. A reload (a run
// in progress reloads itself) keeps the reader's place instead.
function reveal(){var id=decodeURIComponent(location.hash.slice(1));var t=id&&document.getElementById(id);
if(!t||!t.classList.contains('task'))return;if(t.hidden)show('all');t.scrollIntoView();}
var nav=performance.getEntriesByType&&performance.getEntriesByType('navigation')[0];
window.addEventListener('hashchange',reveal);if(!nav||nav.type!=='reload'){reveal();window.addEventListener('load',reveal);}
})();
"""
