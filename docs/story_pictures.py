"""Pictures of a story step in the page (1440x900 and 390x844) and of a booklet page, for the README.

    python docs/story_pictures.py        # writes docs/img/story-*.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMG = HERE / "img"
STORY, STEP = "case-of-balochistan", 3  # Recruits for the Zainabiyoun Brigade: a town, and an arrow into Iran


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bordermap.build import build, export_story

    with tempfile.TemporaryDirectory() as tmp:
        (page_path,) = build("border-region", Path(tmp), self_contained=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for name, size in (("desktop", (1440, 900)), ("phone", (390, 844))):
                page = browser.new_page(viewport={"width": size[0], "height": size[1]})
                page.goto(page_path.as_uri() + f"#story={STORY}&step={STEP}")
                page.wait_for_function("() => window.bordermap.started && window.bordermap.story.settled()")
                page.wait_for_timeout(800)
                page.screenshot(path=str(IMG / f"story-{name}-step.png"))
                page.close()
            browser.close()
        out = export_story("border-region", Path(tmp), STORY, fmt="png")
        png = [path for path in out if path.name.endswith(f"-{STEP:02d}.png")][0]
        (IMG / "story-booklet-page.png").write_bytes(png.read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
