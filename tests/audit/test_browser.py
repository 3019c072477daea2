"""audit.html in headless Chromium: cards, highlights and plots render, filters work, injected markup does not
run, and the page makes no network request. Screenshots go to tests/artifacts/ (git-ignored); with
RADPATH_UPDATE_DOC_IMAGES=1 they also refresh docs/img/audit-cohort.png and docs/img/audit-patient.png.

Needs Debian's `chromium` and `chromium-driver` and the `selenium` package; skipped with a message otherwise.
Nothing is downloaded: Selenium is given both binaries and runs offline."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from extractor.audit import build_audit, load_audit_data

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install selenium")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("Chromium or chromedriver not found (Debian: apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

INJECTED = [
    ("X900", "PX", "2022-01-05", "US",
     'THYROID US\nFindings: a 6 mm nodule with microcalcifications <img src=x onerror="document.title=\'pwned\'">'
     '<script>document.title="pwned"</script> in the right lobe.\nImpression: no mass </textarea></pre><svg onload='
     '"document.title=\'pwned\'"> seen elsewhere.'),
    ("X901", "PX", "2022-01-20", "FNA",
     'FNA thyroid, right.\nDiagnosis: Bethesda category II, benign follicular nodule. <iframe src="javascript:'
     'document.title=\'pwned\'"></iframe> <a href="javascript:document.title=\'pwned\'">click</a>'),
]


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a driver online
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1300,1700")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    except Exception as e:  # a broken local Chromium is an environment problem, not a failure of the page
        pytest.skip(f"Chromium could not start: {type(e).__name__}: {str(e)[:200]}")
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory, link) -> Path:
    """The sample plus one injected patient (PX), extracted, linked with the stand-in table, and audited."""
    from extractor.knowledge.resources import sample_dir
    from extractor.run.api import extract_file

    root = tmp_path_factory.mktemp("browser")
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    injected = pd.DataFrame(INJECTED, columns=["report_id", "patient_id", "report_date", "report_type", "text"])
    source = root / "reports.csv"
    pd.concat([sample, injected]).to_csv(source, index=False)
    out = root / "run"
    extract_file(source, out)
    link(out, source, root / "definitions")
    build_audit(load_audit_data(out))
    return out / "audit.html"


def open_page(driver, path: Path, fragment: str = "") -> None:
    driver.get(path.as_uri() + fragment)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))


def read_patients(directory: Path) -> pd.DataFrame:
    from extractor.audit import load_audit_data as load

    return load(directory, with_texts=False).patients


def act(driver, action) -> None:
    """Do something that redraws the cards, and wait until the (asynchronous) redraw has finished."""
    before = driver.execute_script("return document.documentElement.getAttribute('data-drawn')")
    action()
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.documentElement.getAttribute('data-drawn')") != before)


def network_requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    # the browser's own pages (new tab, about:blank) are not the audit page's requests
    own = ("file://", "data:", "about:", "chrome:", "chrome-untrusted:", "devtools:")
    return [u for u in urls if not u.startswith(own)]


def shoot(driver, name: str, artifacts: Path) -> Path:
    path = artifacts / name
    driver.save_screenshot(str(path))
    if os.environ.get("RADPATH_UPDATE_DOC_IMAGES") == "1":
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_IMAGES / name)
    return path


def test_the_cohort_view_renders_flow_tables_and_plots(driver, page, artifacts):
    open_page(driver, page)
    assert driver.title == "radpath audit"
    assert driver.find_element(By.ID, "view-cohort").is_displayed()
    assert not driver.find_element(By.ID, "view-patients").is_displayed()
    flows = driver.find_elements(By.CSS_SELECTOR, "svg.flow")  # one cohort flow per case definition
    assert len(flows) == 2 and all(f.is_displayed() for f in flows)
    assert "Contains patient text" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    widths = driver.execute_script("return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 3 and all(w > 100 for w in widths)
    rows = driver.find_elements(By.CSS_SELECTOR, "#pattern-table tbody tr")
    assert len(rows) >= 3
    shoot(driver, "audit-cohort.png", artifacts)


def test_patient_cards_render_with_highlights(driver, page, artifacts):
    open_page(driver, page, "#patient/P001")
    cards = driver.find_elements(By.CSS_SELECTOR, "#cards article.card")
    assert len(cards) == 1 and "Patient P001" in cards[0].text
    marks = driver.find_elements(By.CSS_SELECTOR, "#cards .m")
    assert len(marks) > 5
    negated = driver.find_element(By.CSS_SELECTOR, "#cards .m.st-negated")
    assert "line-through" in negated.value_of_css_property("text-decoration-line")
    trigger = driver.find_element(By.CSS_SELECTOR, "#cards .trig-negated")
    assert trigger.is_displayed()
    colours = {m.value_of_css_property("background-color") for m in marks}
    assert len(colours) >= 3  # a colour per label
    shoot(driver, "audit-patient.png", artifacts)


def test_an_evidence_link_jumps_to_its_mention(driver, page):
    open_page(driver, page, "#patient/P001")
    link = driver.find_element(By.CSS_SELECTOR, "#cards table.fields a.ev")
    target = link.get_attribute("href").split("#", 1)[1]
    driver.execute_script("arguments[0].click()", link)
    assert "flash" in driver.find_element(By.ID, target).get_attribute("class")


def test_the_patient_list_paginates_and_filters(driver, page):
    open_page(driver, page, "#patients")
    patients = read_patients(page.parent)
    n = len(patients)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#cards article.card")) == min(20, n)
    assert f"of {n} patients" in driver.find_element(By.ID, "count").text
    act(driver, lambda: Select(driver.find_element(By.ID, "def")).select_by_value("in:yoon2011_dmo"))
    members = patients.query("def_yoon2011_dmo == 'true'")
    cards = driver.find_elements(By.CSS_SELECTOR, "#cards article.card")
    assert len(cards) == len(members) > 0
    assert {c.get_attribute("data-pid") for c in cards} == set(members["patient_id"])
    act(driver, lambda: Select(driver.find_element(By.ID, "def")).select_by_value(""))
    act(driver, lambda: driver.find_element(By.CSS_SELECTOR, "input.flagbox[value='flag_us_no_mass_specimen_mass']").click())
    flagged = patients.query("flag_us_no_mass_specimen_mass == 'true'")
    cards = driver.find_elements(By.CSS_SELECTOR, "#cards article.card")
    assert {c.get_attribute("data-pid") for c in cards} == set(flagged["patient_id"])
    act(driver, lambda: driver.find_element(By.CSS_SELECTOR, "input.flagbox").click())
    act(driver, lambda: driver.find_element(By.ID, "q").send_keys("R003"))
    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#cards article.card")) == 1)
    cards = driver.find_elements(By.CSS_SELECTOR, "#cards article.card")
    assert [c.get_attribute("data-pid") for c in cards] == ["P001"]


def test_injected_markup_does_not_execute(driver, page):
    open_page(driver, page, "#patient/PX")
    time.sleep(0.3)
    assert driver.title == "radpath audit"
    card = driver.find_element(By.CSS_SELECTOR, "#cards article.card")
    assert '<img src=x onerror="document.title=' in card.text
    assert "<script>" in card.text and "</textarea>" in card.text
    assert driver.find_elements(By.CSS_SELECTOR, "#cards img, #cards iframe, #cards script, #cards textarea") == []
    assert driver.execute_script("return document.querySelectorAll('script').length") == 2
    # an alert would make any further command fail with UnexpectedAlertPresentException
    assert driver.execute_script("return 1") == 1


def test_the_page_makes_no_network_request(driver, page):
    driver.get_log("performance")  # drop what earlier tests logged
    open_page(driver, page)
    open_page(driver, page, "#patients")
    open_page(driver, page, "#patient/PX")
    assert network_requests(driver) == []
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
