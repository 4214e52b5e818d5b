# SPDX-License-Identifier: MIT
"""The sample manufacturer and the report, end to end.

    check_report.py B2B2C [--scale small|large] [--browser] [--save PNG]

Writes the small demo (seed 1, as the README does; or the large one) into a temporary SQLite file, twice, and
checks the two databases give the same report (the generator is seeded);
checks the terminal report has its sections and the HTML page is one
self-contained file (no script, no external reference) whose every chart
(<svg data-chart>) has as many data points (class "point") as its table
has rows times data-series.

With --browser it opens the page in headless Chromium (Debian's
`chromium`; exit 77, skipped, when it is absent), fails on any console
message (checked to be caught on a page that logs one), checks the same
against the DOM Chromium rendered, and takes a 1280x2000 screenshot into
--save (docs/report.png is refreshed this way; see docs/report.md).
"""
import html.parser
import os
import shutil
import signal
import subprocess
import sys
import tempfile

SKIP = 77
CHARTS = ["segment-mix", "clv-segments", "lead-bands", "funnel",
          "routing-fairness", "dealer-intervals", "channel-roi",
          "weekly-leads", "network-share", "bonus-progress"]
SECTIONS = ["SEGMENT MIX", "LEADS", "ROUTING FAIRNESS", "DEALERS",
            "REPEAT DUE", "CHANNELS", "DEALER NETWORK", "REORDERS",
            "Not answered by the engines"]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Page(html.parser.HTMLParser):
    """Charts with their points, tables with their body rows, and anything
    that would load or run something."""

    def __init__(self):
        super().__init__()
        self.charts = {}      # name -> [table, series, points, values]
        self.tables = {}      # name -> body rows
        self.external = []    # src/href attributes, <script>, <link>
        self._chart = None
        self._svg_depth = 0
        self._table = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.external.append(tag)
        for k in ("src", "href"):
            if k in a and not (a[k] or "").startswith("#"):
                self.external.append("%s=%s" % (k, a[k]))
        if "style" in a and "url(" in (a["style"] or ""):
            self.external.append("style url()")
        if tag == "svg":
            self._svg_depth += 1
            if "data-chart" in a:
                self._chart = a["data-chart"]
                if self._chart in self.charts:
                    fail("chart %s drawn twice" % self._chart)
                self.charts[self._chart] = [a.get("data-table"),
                                            int(a.get("data-series", "0")),
                                            0, []]
        if self._chart and "point" in (a.get("class") or "").split():
            c = self.charts[self._chart]
            c[2] += 1
            c[3].append(a.get("data-value"))
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables.setdefault(self._table, 0)
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._table and self._in_body:
            self.tables[self._table] += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_depth -= 1
            if self._svg_depth == 0:
                self._chart = None
        if tag == "tbody":
            self._in_body = False
        if tag == "table":
            self._table = None


def check_page(text, where):
    p = Page()
    p.feed(text)
    p.close()
    if p.external:
        fail("%s: not self-contained: %s" % (where, ", ".join(p.external)))
    for name in CHARTS:
        if name not in p.charts:
            fail("%s: chart %s missing" % (where, name))
    for name, (table, series, points, values) in sorted(p.charts.items()):
        if table not in p.tables:
            fail("%s: chart %s names table %s, which is missing"
                 % (where, name, table))
        rows = p.tables[table]
        if points == 0 or points != rows * series:
            fail("%s: chart %s has %d points, its table %s %d rows x %d "
                 "series" % (where, name, points, table, rows, series))
        for v in values:
            try:
                float(v)
            except (TypeError, ValueError):
                fail("%s: chart %s: a point without a number (%r)"
                     % (where, name, v))
    print("%s: %d charts, points = table rows x series: %s" % (
        where, len(p.charts),
        ", ".join("%s %d" % (n, c[2]) for n, c in sorted(p.charts.items()))))
    return p


def check_scorecards(text, truth):
    """The dealers the report ranks top have a higher hidden quality, on
    average, than those it ranks bottom: the scorecards see what the
    generator hid from them."""
    quality = {}
    with open(truth) as f:
        next(f)
        for line in f:
            cols = line.strip().split(",")
            quality[cols[0]] = float(cols[2])
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("DEALERS"))
    top, bottom = [], []
    side = top
    for l in lines[start + 1:]:
        if not l.strip():
            break
        if l.strip() == "...":
            side = bottom
            continue
        side.append(quality[l.split()[0]])
    if not top or not bottom:
        fail("the report lists no top or no bottom dealers")
    mt, mb = sum(top) / len(top), sum(bottom) / len(bottom)
    print("hidden quality: top dealers %.2f, bottom dealers %.2f" % (mt, mb))
    if not mt > mb:
        fail("the top dealers' hidden quality %.3f is not above the bottom "
             "ones' %.3f" % (mt, mb))


def check_refusals(tool, tmp, db):
    """What the two subcommands refuse, and the report of an empty
    database."""
    def status(args):
        r = subprocess.run([tool] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        return r.returncode, r.stdout, r.stderr
    cases = [
        (["demo", "generate"], 2, "--db"),            # memory keeps nothing
        (["--db", db, "demo", "generate"], 1, "already holds"),
        (["--db", db, "demo", "generate", "--scale", "huge"], 2, "--scale"),
        (["report"], 2, "--db"),
        (["--db", db, "report", "--days", "0"], 2, "--days"),
        (["--db", db, "report", "--top", "x"], 2, "--top"),
    ]
    empty = "sqlite:" + os.path.join(tmp, "empty.db")
    cases.append((["--db", empty, "report"], 1, "give --now"))
    for args, want, word in cases:
        rc, _, err = status(args)
        if rc != want or word not in err:
            fail("b2b2c %s: exit %d (%r), wanted %d and a message naming %s"
                 % (" ".join(args), rc, err.strip(), want, word))
    rc, out, err = status(["--db", empty, "report", "--now", "2026-12-01"])
    if rc != 0 or "DEALERS 0" not in out or "nan" in out.lower():
        fail("the report of an empty database: exit %d\n%s%s"
             % (rc, out, err))


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, **kw)
    if r.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
    return r.stdout


def chromium(exe, tmp, url, extra):
    """Run headless Chromium in its own session, with its own profile in
    the temporary folder; kill the whole group at the end. Returns
    (stdout, console lines)."""
    prof = tempfile.mkdtemp(prefix="profile-", dir=tmp)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu",
           "--user-data-dir=" + prof, "--enable-logging=stderr", "--v=0",
           "--no-first-run", "--disable-extensions"] + extra + [url]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        out, err = "", "timeout"
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
    if err == "timeout":
        fail("chromium did not finish in 120 s: " + " ".join(cmd))
    console = [l for l in err.splitlines()
               if "CONSOLE" in l or "Uncaught" in l]
    return out, console


def browser(tmp, page, save):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("SKIP: chromium is not installed (apt-get install chromium)")
        sys.exit(SKIP)
    # the console check itself: a page that logs must be caught
    bad = os.path.join(tmp, "bad.html")
    with open(bad, "w") as f:
        f.write("<!DOCTYPE html><html><body><script>"
                "console.error('probe')</script></body></html>")
    _, console = chromium(exe, tmp, "file://" + bad, ["--dump-dom"])
    if not any("probe" in l for l in console):
        fail("the console check does not see console.error: Chromium's "
             "logging flags changed?")
    url = "file://" + os.path.abspath(page)
    dom, console = chromium(exe, tmp, url, ["--dump-dom"])
    if console:
        fail("console messages on the report:\n" + "\n".join(console))
    if "<svg" not in dom:
        fail("chromium rendered no SVG; its DOM:\n" + dom[:2000])
    check_page(dom, "rendered DOM")
    png = os.path.join(tmp, "report.png")
    _, console = chromium(exe, tmp, url, ["--screenshot=" + png,
                                          "--window-size=1280,2000",
                                          "--hide-scrollbars"])
    if console:
        fail("console messages on the report:\n" + "\n".join(console))
    with open(png, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        fail("the screenshot is not a PNG")
    w = int.from_bytes(head[16:20], "big")
    h = int.from_bytes(head[20:24], "big")
    if (w, h) != (1280, 2000):
        fail("the screenshot is %dx%d, not 1280x2000" % (w, h))
    if save:
        shutil.copyfile(png, save)
        print("screenshot saved to " + save)


def main():
    args = sys.argv[1:]
    if not args:
        fail(__doc__)
    tool = args[0]
    use_browser = "--browser" in args
    save = args[args.index("--save") + 1] if "--save" in args else None
    scale = args[args.index("--scale") + 1] if "--scale" in args else "small"
    tmp = tempfile.mkdtemp(prefix="b2b2c-report-")
    try:
        reports = []
        for k in range(2):
            db = "sqlite:" + os.path.join(tmp, "demo%d.db" % k)
            truth = os.path.join(tmp, "truth.csv")
            r = subprocess.run([tool, "--db", db, "demo", "generate",
                                "--seed", "1", "--scale", scale,
                                "--truth", truth],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True)
            if r.returncode == 2 and "without the SQLite" in r.stderr:
                print("SKIP: b2b2c was built without the SQLite adapter")
                sys.exit(SKIP)
            if r.returncode != 0:
                fail("demo generate: " + r.stderr)
            page = os.path.join(tmp, "report%d.html" % k)
            reports.append(run([tool, "--db", db, "report", "--html", page]))
        if reports[0] != reports[1]:
            fail("the same seed gave two different reports")
        for s in SECTIONS:
            if s not in reports[0]:
                fail("terminal report without its section " + s)
        check_scorecards(reports[0], truth)
        check_refusals(tool, tmp, db)
        lines = reports[0].splitlines()
        if len(lines) > 66 or max(len(l) for l in lines) > 100:
            fail("the terminal report is %d lines, up to %d columns: not "
                 "one screen" % (len(lines), max(len(l) for l in lines)))
        with open(page) as f:
            text = f.read()
        with open(os.path.join(tmp, "report0.html")) as f:
            if f.read() != text:
                fail("the same seed gave two different HTML pages")
        check_page(text, "report.html")
        if use_browser:
            browser(tmp, page, save)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
