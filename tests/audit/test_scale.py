"""The page at 5,000 patients: build time and file size (always, with a smaller cohort by default), and the
browser's load and render time (when Chromium is available). RADPATH_AUDIT_SCALE sets the cohort size; the
numbers are printed (pytest -s) and written to tests/artifacts/audit-scale.json."""
import json
import os
import shutil
import time

from extractor.audit import build_audit, load_audit_data

N = int(os.environ.get("RADPATH_AUDIT_SCALE", "500"))
BUDGET_SECONDS_PER_1000 = 20.0  # build
BUDGET_BYTES_PER_PATIENT = 4_000  # synthetic reports compress well; real ones less so


def _timed(driver, action) -> float:
    """Seconds from an action to the end of the asynchronous redraw it causes."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.execute_script("return document.documentElement.getAttribute('data-drawn')")
    started = time.perf_counter()
    action()
    WebDriverWait(driver, 60, poll_frequency=0.01).until(
        lambda d: d.execute_script("return document.documentElement.getAttribute('data-drawn')") != before)
    return time.perf_counter() - started


def test_the_page_scales(tmp_path, make_cohort, artifacts):
    directory = make_cohort(N, tmp_path / "scale")
    started = time.perf_counter()
    data = load_audit_data(directory)
    loaded = time.perf_counter() - started
    stats = build_audit(data)
    result = {"patients": stats.patients, "reports": stats.reports, "bytes": stats.bytes,
              "load_seconds": round(loaded, 2), "build_seconds": round(stats.seconds, 2)}
    assert stats.patients == N
    assert stats.bytes < BUDGET_BYTES_PER_PATIENT * N + 2_000_000
    assert stats.seconds < BUDGET_SECONDS_PER_1000 * N / 1000 + 10
    browser = _browser_timing(directory / "audit.html", tmp_path)
    if browser:
        result.update(browser)
    (artifacts / "audit-scale.json").write_text(json.dumps(result, indent=2))
    print("\naudit scale:", json.dumps(result))


def _browser_timing(page, tmp_path):
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait
    except ImportError:
        return None
    if not (chromium and driver_path):
        return None
    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1300,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        started = time.perf_counter()
        driver.get(page.as_uri() + "#patients")
        WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))
        ready = time.perf_counter() - started
        nav = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd};")
        assert len(driver.find_elements(By.CSS_SELECTOR, "#cards article.card")) == 20
        filtered = _timed(driver, lambda: Select(driver.find_element(By.ID, "def")).select_by_value("in:yoon2011_dmo"))
        paged = _timed(driver, lambda: driver.find_element(By.ID, "next").click())
        assert len(driver.find_elements(By.CSS_SELECTOR, "#cards article.card")) == 20
        return {"browser_ready_seconds": round(ready, 2), "dom_content_loaded_ms": round(nav["dcl"]),
                "load_event_ms": round(nav["load"]), "filter_seconds": round(filtered, 3),
                "next_page_seconds": round(paged, 3)}
    finally:
        driver.quit()
