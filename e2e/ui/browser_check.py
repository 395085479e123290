#!/usr/bin/python3
"""Drives the controller's web UI in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium) for e2e/ui/ui_test.cc, which starts the real servers and hands this script
what it knows in a JSON file (argv[1]): the controller's URL and token, the topologies, the
focus topology's components, streams and Aurora task ids, the changed spec to commit, and where
to save screenshots.

Each step checks what the page shows against what the API or Aurora says; the first mismatch
ends the script with exit code 1 and says why. Exit code 0: every step held.
"""

import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)
    print("ok:", what, flush=True)


def api(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as r:
        return json.loads(r.read().decode())


def start_browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # As root in a sandbox-less machine, and with no network but loopback: no background
    # connections (refused by the closed network, they would flood the log).
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run",
                 "--disable-features=Translate,OptimizationHints,MediaRouter",
                 "--window-size=1400,1000", "--user-data-dir=" + profile):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, what, pred, timeout=30):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=[StaleElementReferenceException,
                                                 NoSuchElementException]).until(lambda d: pred())
    except Exception as e:  # TimeoutException, or what pred raised last
        raise Failed("timed out waiting for " + what + " (" + type(e).__name__ + ")")


def row_keys(driver):
    # In one script: the rows are redrawn whenever a watch answers.
    return driver.execute_script(
        "return [...document.querySelectorAll('#overview-table tbody tr')].map(r => r.dataset.key)")


def texts(driver, selector):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def overview(driver, cfg, shots):
    url = cfg["url"]
    driver.get(url + "/")
    keys = sorted(cfg["keys"])
    wait(driver, "the overview's rows", lambda: sorted(row_keys(driver)) == keys)
    listed = {t["key"]: t["phase"] for t in api(url, "/api/v1/topologies")["topologies"]}
    for key in keys:
        row = driver.find_element(By.CSS_SELECTOR, f'#overview-table tr[data-key="{key}"]')
        shown = row.find_element(By.CSS_SELECTOR, ".phase-cell .phase").text
        check(shown == listed[key], f"the overview shows {key} as {shown}, the API says {listed[key]}")
    driver.save_screenshot(os.path.join(shots, "overview.png"))
    # The search filter narrows the list; the URL keeps it (a link that can be shared).
    box = driver.find_element(By.ID, "filter-q")
    box.send_keys(cfg["focus_name"])
    wait(driver, "the filtered overview", lambda: row_keys(driver) == [cfg["focus"]])
    check("q=" + cfg["focus_name"] in driver.current_url, "the filter is in the page's URL")
    # Keyboard only: from the search box, Tab reaches the topology's link; Enter opens its page.
    for _ in range(30):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        if active.tag_name == "a" and "/topologies/" in (active.get_attribute("href") or ""):
            break
    check(active.tag_name == "a", "Tab reaches the topology's link")
    active.send_keys(Keys.ENTER)
    wait(driver, "the topology page", lambda: driver.find_elements(By.ID, "graph"))
    check(driver.current_url.endswith("/topologies/" + cfg["focus"]),
          "the topology's page has its own URL: " + driver.current_url)


def topology_page(driver, cfg, shots):
    nodes = driver.find_elements(By.CSS_SELECTOR, "#graph g.node")
    check(sorted(n.get_attribute("data-component") for n in nodes) == sorted(cfg["components"]),
          "one graph node per component: %s" % [n.get_attribute("data-component") for n in nodes])
    edges = driver.find_elements(By.CSS_SELECTOR, "#graph g.edge")
    check(sorted((e.get_attribute("data-from"), e.get_attribute("data-to")) for e in edges) ==
          sorted(tuple(s) for s in cfg["streams"]), "one graph edge per stream")
    wait(driver, "the containers table",
         lambda: len(driver.find_elements(By.CSS_SELECTOR, "#containers tbody tr")) == len(cfg["tasks"]))
    shown = {r.get_attribute("data-instance"): r.get_attribute("data-task-id")
             for r in driver.find_elements(By.CSS_SELECTOR, "#containers tbody tr")}
    check(shown == cfg["tasks"], "the containers are Aurora's tasks: %s" % shown)
    heron = texts(driver, "#containers tbody tr td:nth-child(2)")
    check(heron[0] == "topology manager" and all(h != "—" for h in heron[1:]),
          "each container lists its Heron instances: %s" % heron)
    driver.save_screenshot(os.path.join(shots, "topology.png"))


def confirm(driver, token, shots=None, name=None):
    wait(driver, "the confirmation dialog",
         lambda: driver.find_element(By.ID, "confirm").get_attribute("open") is not None)
    field = driver.find_element(By.ID, "token")
    if field.is_displayed():
        field.send_keys(token)
    if shots:
        driver.save_screenshot(os.path.join(shots, name))
    driver.find_element(By.ID, "confirm-ok").click()


def suspend_and_resume(driver, cfg):
    url, key = cfg["url"], cfg["focus"]
    click(driver, "#btn-suspend")
    confirm(driver, cfg["token"], cfg["screenshots"], "confirm.png")
    wait(driver, "Suspended on the page", lambda: driver.find_element(By.ID, "phase").text == "Suspended", 60)
    status = api(url, "/api/v1/topologies/" + key)
    check(status["phase"] == "Suspended" and status["suspended"] is True,
          "the API agrees: %s, suspended=%s" % (status["phase"], status["suspended"]))
    answer = driver.find_element(By.ID, "answer").text
    check("accepted" in answer, "the page shows the API's answer: " + answer)
    click(driver, "#btn-resume")
    confirm(driver, cfg["token"])  # the token is asked once per tab
    wait(driver, "Running again", lambda: driver.find_element(By.ID, "phase").text == "Running", 60)
    check(api(url, "/api/v1/topologies/" + key)["suspended"] is False, "the API says resumed")


def rollout(driver, cfg):
    driver.execute_script("window.__sameDocument = 42;")
    change = cfg["change"]
    tmp = change["path"] + ".tmp"
    with open(tmp, "w") as f:
        f.write(change["content"])
    os.rename(tmp, change["path"])  # as a git checkout or an editor's save: one atomic step
    phases, progress, shot = [], [], False
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            phase = driver.find_element(By.ID, "phase").text
            updated = driver.find_elements(By.ID, "rollout-updated")
            done = updated[0].text if updated else ""
        except Exception:  # redrawn between the two reads
            continue
        if not phases or phases[-1] != phase:
            phases.append(phase)
        if done and (not progress or progress[-1] != done):
            progress.append(done)
        if phase == "Updating" and done and not shot:
            driver.save_screenshot(os.path.join(cfg["screenshots"], "rollout.png"))
            shot = True
        status_revision = driver.find_elements(By.CSS_SELECTOR, "#history tbody tr:first-child")
        if phase == "Running" and "Updating" in phases and status_revision and \
                status_revision[0].get_attribute("data-revision") == "2":
            break
        time.sleep(0.1)
    print("phases seen:", phases, "progress seen:", progress, flush=True)
    check("Updating" in phases and phases[-1] == "Running", "the rollout shows Updating, then Running")
    check(len(progress) >= 2, "the rollout's progress moved on the page: %s" % progress)
    check(driver.execute_script("return window.__sameDocument;") == 42, "no reload")


def click(driver, selector):
    # Each watch answer redraws the page: an element found just before a redraw is gone by the
    # click (stale); the new one is found again. The page keeps its selections across redraws.
    for _ in range(50):
        try:
            driver.find_element(By.CSS_SELECTOR, selector).click()
            return
        except StaleElementReferenceException:
            continue
    raise Failed("could not click " + selector + ": the page kept redrawing it")


def history_diff(driver, cfg):
    click(driver, 'input[name="diff-A"][value="1"]')
    click(driver, 'input[name="diff-B"][value="2"]')
    click(driver, "#btn-diff")
    wait(driver, "the diff", lambda: driver.find_elements(By.CSS_SELECTOR, "#diff .add"))
    added = texts(driver, "#diff .add")
    check(any(cfg["change"]["marker"] in a for a in added), "the diff shows the change: %s" % added)
    rows = driver.find_elements(By.CSS_SELECTOR, '#history tr[data-revision="2"] td')
    check(rows[6].text.endswith(" s"), "revision 2's seen → running latency is shown: " + rows[6].text)
    driver.execute_script("document.getElementById('history').scrollIntoView()")
    driver.save_screenshot(os.path.join(cfg["screenshots"], "history.png"))


def console_errors(driver):
    logs = driver.get_log("browser")
    bad = [l for l in logs if l.get("level") == "SEVERE"]
    for l in logs:
        print("console:", l.get("level"), l.get("message"), flush=True)
    check(not bad, "no console errors: %s" % bad)


def run(check_page, name):
    """Starts the browser, runs check_page(driver, cfg) with the JSON file of argv[1], and turns
    the outcome into the exit code: 0 when every step held; 1 with a screenshot of the failure
    (failure.png), the reason and the page's text."""
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    os.makedirs(cfg["screenshots"], exist_ok=True)
    profile = tempfile.mkdtemp(prefix="hgo_chromium_")
    os.environ["HOME"] = profile  # Chromium writes under HOME; the caller's may not exist
    driver = None
    try:
        driver = start_browser(profile)
        check_page(driver, cfg)
        console_errors(driver)
    except Failed as e:
        print("FAILED:", e, flush=True)
        if driver:
            driver.save_screenshot(os.path.join(cfg["screenshots"], "failure.png"))
            print(driver.find_element(By.TAG_NAME, "body").text[:4000], flush=True)
        return 1
    finally:
        if driver:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(name, "passed", flush=True)
    return 0


def check_ui(driver, cfg):
    overview(driver, cfg, cfg["screenshots"])
    topology_page(driver, cfg, cfg["screenshots"])
    suspend_and_resume(driver, cfg)
    rollout(driver, cfg)
    history_diff(driver, cfg)


if __name__ == "__main__":
    sys.exit(run(check_ui, "browser check"))
