#!/usr/bin/python3
"""For bench_ui: loads the web UI's overview in headless Chromium five times (a new tab state
each time, the browser already started) and prints the time from navigation start to the first
rows drawn, in ms: min/median/max. argv[1]: the controller's URL."""

import os
import shutil
import statistics
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def main():
    url = sys.argv[1]
    profile = tempfile.mkdtemp(prefix="hgo_chromium_")
    os.environ["HOME"] = profile
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run",
                 "--window-size=1400,1000", "--user-data-dir=" + profile):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    times = []
    try:
        for _ in range(5):
            driver.get("about:blank")
            driver.get(url + "/")
            WebDriverWait(driver, 30, poll_frequency=0.02).until(lambda d: d.execute_script(
                "return document.querySelectorAll('#overview-table tbody tr').length >= 100"
                " && (window.__drawn = window.__drawn || performance.now())"))
            times.append(driver.execute_script("return window.__drawn"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print("%.0f / %.0f / %.0f" % (min(times), statistics.median(times), max(times)))


if __name__ == "__main__":
    main()
