"""The web app (`kraamsim serve`) driven in a real headless Chromium through Playwright.

Called by tests/web_browser.rs, which starts the server and passes:

    browser.py BASE_URL ARTEFACT_DIR EXAMPLE_DIR BROKEN_ROSTER

It plays the three users' first steps on the pages of docs/web.md:
  1. a coordinator uploads the shipped ksv-forecast bookings and roster, runs the forecast and
     finds the fan chart and the weeks-at-risk table;
  2. an analyst runs the baseline scenario with a changed capacity factor and finds the
     headline figures;
  3. a coordinator uploads a broken roster and finds the error with its row and column.
Every step fails on a console error or an uncaught page error. Screenshots go to ARTEFACT_DIR,
and one line per step with its wall time goes to stdout (`step NAME SECONDS`).
"""

import os
import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("KRAAMSIM_CHROMIUM", "/usr/bin/chromium")
# A run may take a while on a loaded 2-core machine; the page itself must answer at once.
RUN_TIMEOUT_MS = 180_000


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def new_page(browser, problems):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return page


def wait_done(page, step):
    """Waits until the run page's status says done; fails on error or cancelled."""
    page.wait_for_selector("#status", timeout=30_000)
    page.wait_for_function(
        "() => ['done', 'error', 'cancelled'].includes("
        "(document.querySelector('#status') || {}).textContent?.trim())",
        timeout=RUN_TIMEOUT_MS,
    )
    status = page.inner_text("#status").strip()
    if status != "done":
        fail(f"{step}: run ended with status {status!r}: {page.inner_text('body')[:2000]}")


def forecast(browser, base, shots, examples, problems):
    page = new_page(browser, problems)
    page.goto(base + "forecast")
    page.set_input_files("#forecast-form [name=bookings]", os.path.join(examples, "bookings.csv"))
    page.set_input_files("#forecast-form [name=roster]", os.path.join(examples, "roster.csv"))
    page.fill("#forecast-form [name=as_of]", "2027-05-03")
    page.fill("#forecast-form [name=weeks]", "16")
    start = time.monotonic()
    page.click("#forecast-run")
    wait_done(page, "forecast")
    elapsed = time.monotonic() - start
    if "/runs/" not in page.url:
        fail(f"forecast: ended on {page.url}, not a run page")
    fan = page.locator("#fan-chart img, #fan-chart svg")
    if fan.count() < 1:
        fail("forecast: no image in #fan-chart")
    fan.first.wait_for(state="visible")
    # The image must have decoded, not only be present.
    if page.locator("#fan-chart img").count() > 0:
        ok = page.evaluate(
            "() => [...document.querySelectorAll('#fan-chart img')]"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        if not ok:
            fail("forecast: the fan chart image did not load")
    rows = page.locator("#weeks-at-risk tbody tr").count()
    if rows < 1:
        fail("forecast: the weeks-at-risk table has no rows")
    for section in ["#extra-hours", "#birth-assistance"]:
        if page.locator(section).count() != 1:
            fail(f"forecast: no {section} section")
    page.screenshot(path=os.path.join(shots, "web-forecast.png"), full_page=True)
    print(f"step forecast {elapsed:.3f} (weeks at risk rows: {rows})")
    page.close()


def scenario(browser, base, shots, problems):
    page = new_page(browser, problems)
    page.goto(base + "scenario")
    page.select_option("#scenario-form [name=scenario]", "baseline")
    page.fill("#scenario-form [name=capacity_factor]", "0.8")
    start = time.monotonic()
    page.click("#scenario-run")
    wait_done(page, "scenario")
    elapsed = time.monotonic() - start
    for metric in ["below_minimum", "hours_per_mother"]:
        row = page.locator(f"#headline tr[data-metric={metric}]")
        if row.count() != 1:
            fail(f"scenario: no headline row for {metric}")
        text = row.inner_text()
        if not any(c.isdigit() for c in text):
            fail(f"scenario: headline row {metric} has no number: {text!r}")
    if page.locator("#charts img").count() < 1:
        fail("scenario: no chart in #charts")
    page.screenshot(path=os.path.join(shots, "web-scenario.png"), full_page=True)
    print(f"step scenario {elapsed:.3f}")
    page.close()


def broken_roster(browser, base, shots, examples, broken, problems):
    page = new_page(browser, problems)
    page.goto(base + "forecast")
    page.set_input_files("#forecast-form [name=bookings]", os.path.join(examples, "bookings.csv"))
    page.set_input_files("#forecast-form [name=roster]", broken)
    page.fill("#forecast-form [name=as_of]", "2027-05-03")
    page.fill("#forecast-form [name=weeks]", "16")
    page.click("#forecast-run")
    error = page.locator("p.field-error[data-field=roster]")
    error.wait_for(timeout=60_000)
    text = error.inner_text()
    # The broken roster (written by tests/web_browser.rs) has a bad contract_hours_per_week
    # on its third data row.
    if "contract_hours_per_week" not in text:
        fail(f"broken roster: the error does not name the column: {text!r}")
    # Its line is 4 (the header is line 1): `roster.csv:4:4` as the CLI says it, or in words.
    if not any(place in text for place in ["roster.csv:4:", "line 4", "row 4"]):
        fail(f"broken roster: the error does not name the row: {text!r}")
    page.screenshot(path=os.path.join(shots, "web-broken-roster.png"), full_page=True)
    print(f"step broken-roster ok: {text.strip()[:200]}")
    page.close()


def main():
    base, shots, examples, broken = sys.argv[1:5]
    if not base.endswith("/"):
        base += "/"
    os.makedirs(shots, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        forecast(browser, base, shots, examples, problems)
        scenario(browser, base, shots, problems)
        broken_roster(browser, base, shots, examples, broken, problems)
        browser.close()
    # A rejected form answers 4xx, which Chromium logs as a failed resource load; that is the
    # page working, not an error of it.
    real = [p for p in problems if "status of 4" not in p]
    if real:
        fail("; ".join(real))
    print("all browser steps passed")


if __name__ == "__main__":
    main()
