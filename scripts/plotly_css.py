"""Writes plotly.js's styles as static files: static/css/plotly/<id>.css, and templates/includes/plotly_css.html,
which links them. Run it again after changing plotly's version in package.json:

    .venv/bin/python scripts/plotly_css.py

When it loads, plotly.js adds its stylesheets to the page as <style> elements (its own rules, and those of the map
library it bundles), which the Content Security Policy (style-src 'self') refuses. It adds none whose id is already
in the page, so the chart pages link each one as a static file under that id. plotly.js-dist-min ships no CSS
file, so the styles are read from the bundle itself: Chromium loads plotly.min.js into an empty page with no policy,
and this writes out each <style> element it added, as Chromium reads it.

tests/browser/test_csp.py fails while the files differ from what the installed bundle adds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "node_modules" / "plotly.js-dist-min" / "plotly.min.js"
PACKAGE = ROOT / "node_modules" / "plotly.js-dist-min" / "package.json"
CSS_DIR = ROOT / "static" / "css" / "plotly"
INCLUDE = ROOT / "templates" / "includes" / "plotly_css.html"
CHROMIUM = "/usr/bin/chromium"
# Each <style> element in the page: its id and its rules (plotly's own are added by insertRule, so its text is empty).
STYLES_JS = """() => [...document.querySelectorAll('style')].map(s => [s.id,
    s.textContent.trim() ? s.textContent : [...s.sheet.cssRules].map(r => r.cssText).join('\\n')])"""


def bundle_styles(browser) -> dict[str, str]:
    """The stylesheets plotly.js adds when it loads: id -> CSS."""
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><html><head><title>plotly</title></head><body></body></html>")
        page.add_script_tag(content=BUNDLE.read_text(encoding="utf-8"))
        styles = dict(page.evaluate(STYLES_JS))
    finally:
        page.close()
    for style_id in styles:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", style_id):
            raise ValueError(f"plotly.js added a <style> whose id cannot name a file: {style_id!r}")
    return styles


def include(style_ids: list[str]) -> str:
    version = json.loads(PACKAGE.read_text(encoding="utf-8"))["version"]
    links = "\n".join(f"<link rel=\"stylesheet\" id=\"{i}\" class=\"no-inline-styles\" "
                      f"href=\"{{% static 'css/plotly/{i}.css' %}}\">" for i in style_ids)
    return ("{% load static %}{% comment %}Written by scripts/plotly_css.py from plotly.js-dist-min " + version
            + ": do not edit.\nThe stylesheets plotly.js would add as <style> elements, which the Content Security "
            "Policy refuses: with an element of\nthe same id in the page (and, for its own rules, the class "
            "no-inline-styles) plotly.js adds none.{% endcomment %}\n" + links + "\n")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            styles = bundle_styles(browser)
        finally:
            browser.close()
    CSS_DIR.mkdir(parents=True, exist_ok=True)
    for old in CSS_DIR.glob("*.css"):
        old.unlink()
    for style_id, css in styles.items():
        (CSS_DIR / f"{style_id}.css").write_text(css, encoding="utf-8")
        print(f"{(CSS_DIR / style_id).relative_to(ROOT)}.css: {len(css)} characters")
    INCLUDE.write_text(include(list(styles)), encoding="utf-8")  # in the order plotly adds them
    print(f"{INCLUDE.relative_to(ROOT)}: {len(styles)} stylesheets")


if __name__ == "__main__":
    main()
