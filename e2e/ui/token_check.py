#!/usr/bin/python3
"""Opens the web UI of a controller run with --reads-need-token, for the token test of
e2e/ui/ui_test.cc, which hands this script a JSON file (argv[1]): the controller's URL and token,
the key of its topology, and where to save screenshots.

Without a token the page's reads are refused (401) and the page asks for the token once; with it
the overview lists the topology, and every later read carries it. Exit code 0: every step held;
1: the first mismatch, said on the last lines.
"""

import json
import os
import sys
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By

from browser_check import check, confirm, row_keys, run, wait


def status_of(url, path, token=None):
    request = urllib.request.Request(url + path)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, None


def check_token(driver, cfg):
    url, key = cfg["url"], cfg["key"]
    check(status_of(url, "/api/v1/topologies")[0] == 401, "a read without a token is refused")
    code, listing = status_of(url, "/api/v1/topologies", cfg["token"])
    check(code == 200 and any(t["key"] == key for t in listing["topologies"]),
          "a read with the token lists " + key)

    driver.get(url + "/")
    wait(driver, "the page asking for the token",
         lambda: "needs a token to read" in driver.find_element(By.ID, "confirm-text").text)
    refused = [l["message"] for l in driver.get_log("browser") if l.get("level") == "SEVERE"]
    check(all("401" in m for m in refused), "the only errors so far are the refused reads: %s" % refused)
    confirm(driver, cfg["token"], cfg["screenshots"], "token.png")
    wait(driver, "the overview listing " + key, lambda: key in row_keys(driver), 30)
    check(driver.find_element(By.ID, "confirm").get_attribute("open") is None,
          "the page asks no more once it has the token")
    driver.save_screenshot(os.path.join(cfg["screenshots"], "with-token.png"))


if __name__ == "__main__":
    sys.exit(run(check_token, "token check"))
