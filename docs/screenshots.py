"""Regenerate the README's pictures: every shipped recipe at 1440x900 and 390x844 (opening view, zoom 7 over
Balochistan, the Serena bombing's popup), the default map's time chart and printed report, and the default print
figure.

Usage: python docs/screenshots.py   (needs the test dependencies and Debian's chromium; writes docs/img/)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bordermap.build import build, export
from bordermap.recipe import builtin_recipes

OUT = Path(__file__).resolve().parent / "img"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
VIEWS = {"opening": "", "balochistan-z7": "#view=28.5,65.5,7"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def main() -> int:
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bordermap-shots-"))
    pages = {name: build(name, work)[0] for name in builtin_recipes()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, path in pages.items():
            for size, (w, h) in SIZES.items():
                for view, hash_ in VIEWS.items():
                    page = browser.new_page(viewport={"width": w, "height": h})
                    page.goto(path.as_uri() + hash_)
                    page.wait_for_function("() => window.bordermap && window.bordermap.started")
                    page.wait_for_timeout(700)
                    page.screenshot(path=OUT / f"{name}-{size}-{view}.png")
                    if view == "opening":
                        if page.get_attribute("#bm-toggle", "aria-expanded") == "false":  # a phone: open the sheet
                            page.click("#bm-toggle")
                        page.fill("#bm-q", "serena hotel")
                        page.keyboard.press("Enter")
                        page.wait_for_selector(".leaflet-popup-content", timeout=5000)
                        page.wait_for_timeout(500)
                        page.screenshot(path=OUT / f"{name}-{size}-serena-popup.png")
                    page.close()
        takeaways(browser, pages["border-region"])
        browser.close()
    (figure,) = export(None, work, fmt="png", size=(1800, 1350))
    figure.replace(OUT / "border-region-figure.png")
    for png in sorted(OUT.glob("*.png")):
        print(f"wrote {png}")
    return 0


def takeaways(browser, path: Path) -> None:
    """The panel's events-over-time chart with its time controls, and the first printed page (A4) of the map."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("() => window.bordermap && window.bordermap.started")
    page.locator("#bm-chart").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    top, bottom = page.locator("#bm-chart").bounding_box(), page.locator("#bm-time").bounding_box()
    page.screenshot(path=OUT / "time-chart.png", clip={"x": top["x"] - 8, "y": top["y"] - 4, "width": top["width"] + 16,
                                                        "height": bottom["y"] + bottom["height"] - top["y"] + 8})
    page.close()
    # printing starts from the desktop view; the printed page (A4 at 96 dpi is 794 x 1123 pixels) is drawn at
    # 0.6 to keep the picture small
    page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=0.6)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.bordermap && window.bordermap.started")
    page.wait_for_timeout(700)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.wait_for_timeout(500)
    page.screenshot(path=OUT / "printed-report.png", clip={"x": 0, "y": 0, "width": 794, "height": 1123})
    page.close()


if __name__ == "__main__":
    sys.exit(main())
