/*
 * The dashboard's static files, served by the responder itself: its one
 * stylesheet (the CSP allows style-src 'self' and nothing inline),
 * readable on a laptop and on a phone (tables scroll sideways in their
 * box, the filter form wraps), and its icon.
 */
#include "config.h"

#include "ui_pages.h"
#include "web.h"

static const char css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
"sans-serif;color:#1d232b;background:#f5f6f8}\n"
"a{color:#0b5cad}\n"
"header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;"
"padding:.6rem 1rem;background:#14213d;color:#fff}\n"
"header a{color:#dbe7ff;text-decoration:none;padding:.2rem .45rem;"
"border-radius:4px}\n"
"header a.here,header a:hover{background:#2f4b7c;color:#fff}\n"
".brand{font-weight:700;letter-spacing:.02em}\n"
".org{opacity:.8}\n"
"nav{display:flex;flex-wrap:wrap;gap:.15rem}\n"
"form.account{margin-left:auto;display:flex;gap:.5rem;align-items:center}\n"
"main{padding:1rem;max-width:1400px;margin:0 auto}\n"
"body.narrow main{max-width:28rem;margin-top:3rem;background:#fff;"
"border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px #0002}\n"
"h1{font-size:1.4rem;margin:.2rem 0 .8rem}\n"
"h2{font-size:1.1rem;margin:0 0 .5rem}\n"
"form.filters{display:flex;flex-wrap:wrap;gap:.5rem .8rem;align-items:end;"
"background:#fff;padding:.7rem;border-radius:8px;box-shadow:0 1px 2px #0001;"
"margin-bottom:1rem}\n"
"form.filters label{display:flex;flex-direction:column;font-size:.8rem;"
"color:#555}\n"
"input,select,button{font:inherit;padding:.3rem .45rem;border:1px solid "
"#b9c0ca;border-radius:4px;background:#fff;max-width:14rem}\n"
"button{background:#0b5cad;color:#fff;border-color:#0b5cad;cursor:pointer}\n"
"header button{background:#2f4b7c;border-color:#2f4b7c}\n"
"body.narrow form{display:flex;flex-direction:column;gap:.8rem}\n"
"body.narrow label{display:flex;flex-direction:column;gap:.2rem}\n"
"body.narrow input{max-width:none}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));"
"gap:.7rem;margin-bottom:1rem}\n"
".card{background:#fff;border-radius:8px;padding:.7rem .9rem;"
"box-shadow:0 1px 2px #0001}\n"
".card .k{font-size:.8rem;color:#555}\n"
".card .v{font-size:1.35rem;font-weight:600}\n"
"section.table,section.chart{background:#fff;border-radius:8px;"
"padding:.8rem;margin-bottom:1rem;box-shadow:0 1px 2px #0001}\n"
"a.csv{font-size:.8rem;font-weight:400;margin-left:.5rem}\n"
".scroll{overflow-x:auto}\n"
"table.data{border-collapse:collapse;width:100%;font-size:.9rem}\n"
"table.data th,table.data td{padding:.35rem .55rem;border-bottom:1px solid "
"#e4e7eb;text-align:left;white-space:nowrap}\n"
"table.data th{background:#f0f2f5;font-weight:600}\n"
"table.data .n{text-align:right;font-variant-numeric:tabular-nums}\n"
"td.empty{color:#777;text-align:center}\n"
".notice{background:#fff7d6;border:1px solid #e8d48a;padding:.5rem .8rem;"
"border-radius:6px}\n"
".error{color:#a4161a}\n"
"p.error{background:#fde8e8;border:1px solid #f3b8b8;padding:.5rem .8rem;"
"border-radius:6px}\n"
".up{color:#a4161a}.down{color:#2b7a0b}\n"
"section.chart svg{display:block;width:100%;max-width:820px;height:auto;"
"margin:0 auto}\n"
".pager{display:flex;gap:1rem;margin:.5rem 0}\n"
"footer{color:#666;font-size:.8rem;padding:1rem;text-align:center}\n"
"@media (max-width:640px){header{padding:.5rem}main{padding:.5rem}"
"form.account{margin-left:0}table.data{font-size:.8rem}}\n";

void
ui_css(struct ui *ui)
{
	web_header(ui->resp, "Cache-Control", "max-age=3600");
	web_start(ui->resp, 200, WEB_CSS);
	writer_put(ui->w, css, sizeof(css) - 1);
}

/*
 * Browsers ask for /favicon.ico on every page: without an answer each
 * page view logged a 404 here and a console error there. A bar chart,
 * in SVG.
 */
static const char icon[] =
"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
"<rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#14213d\"/>"
"<path d=\"M4 13V8M8 13V3M12 13V6\" stroke=\"#dbe7ff\" "
"stroke-width=\"2.5\"/></svg>\n";

void
ui_favicon(struct ui *ui)
{
	web_header(ui->resp, "Cache-Control", "max-age=86400");
	web_start(ui->resp, 200, "image/svg+xml");
	writer_put(ui->w, icon, sizeof(icon) - 1);
}
