// axe.js SITE_DIR: serve a rendered site on 127.0.0.1 and check every page with axe-core
// (WCAG 2.0/2.1 A and AA) at 1280 and 320 px in headless Chromium (CHROMIUM=/usr/bin/chromium).
// Prints one line per page and width with violations, and last: "overtredingen=N pagina's=M".
const http = require("http");
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");
const axeSource = require("axe-core").source;

const root = path.resolve(process.argv[2]);
const types = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
  ".png": "image/png", ".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2", ".pdf": "application/pdf" };

function pages(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "site_libs" ? [] : pages(p);
    return e.name.endsWith(".html") ? [path.relative(root, p)] : [];
  });
}

const server = http.createServer((req, res) => {
  let file = path.join(root, decodeURIComponent(req.url.split("?")[0]));
  if (!file.startsWith(root)) { res.writeHead(403); return res.end(); }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream" });
    res.end(data);
  });
});

server.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  let total = 0;
  const list = pages(root);
  try {
    for (const page of list) {
      for (const width of [1280, 320]) {
        const tab = await browser.newPage();
        // The site must work with the network off: any request to another host fails the page.
        await tab.setRequestInterception(true);
        const external = [];
        tab.on("request", (r) => {
          if (r.url().startsWith(base) || r.url().startsWith("data:")) r.continue();
          else { external.push(r.url()); r.abort(); }
        });
        await tab.setViewport({ width, height: 900 });
        await tab.goto(base + page, { waitUntil: "networkidle0" });
        await tab.addScriptTag({ content: axeSource });
        const result = await tab.evaluate(async () => await window.axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
        const sideways = await tab.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        const n = result.violations.reduce((s, v) => s + v.nodes.length, 0) + external.length + (sideways ? 1 : 0);
        total += n;
        if (n) {
          console.log(`${page} @${width}px: ${n}`);
          for (const v of result.violations) console.log(`  ${v.id} (${v.impact}): ${v.nodes.map((x) => x.target.join(" ")).slice(0, 5).join(" | ")}`);
          for (const u of external) console.log(`  externe aanvraag: ${u}`);
          if (sideways) console.log("  de pagina scrolt zijwaarts");
        }
        await tab.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`overtredingen=${total} pagina's=${list.length}`);
});
