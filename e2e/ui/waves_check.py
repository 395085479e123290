#!/usr/bin/python3
"""Drives a placed topology's waves on its web UI page in headless Chromium, for the waves test
of e2e/ui/ui_test.cc. That side starts the controller over three clusters (canary, then east and
west), commits a change the canary has just taken, and hands this script a JSON file (argv[1]):
the controller's URL and token, the canary's key, each cluster's revision of the change, the
waves, and where to save screenshots.

The script halts the rollout from the page, sees wave 2 held while the canary soaks, promotes
from the page, follows wave 2 rolling (changes of the other clusters, pushed through the page's
watch), and promotes again past wave 2's soak. Each step checks the page against the API.
Exit code 0: every step held; 1: the first mismatch, said on the last lines.
"""

import os
import sys

from selenium.webdriver.common.by import By

from browser_check import api, check, click, confirm, run, wait


def disabled(driver, button_id):
    return driver.execute_script("return document.getElementById(arguments[0]).disabled", button_id)


def wave_rows(driver):
    # In one script: the page is redrawn whenever a watch answers.
    return driver.execute_script("""
      return [...document.querySelectorAll('#waves tbody tr')].map(r => ({
        wave: Number(r.dataset.wave), stage: r.dataset.stage,
        clusters: [...r.querySelectorAll('li')].map(l => [l.dataset.cluster, l.dataset.revision,
                                                         l.textContent]),
        detail: r.cells[3].textContent}))""")


def stage(driver, wave):
    rows = wave_rows(driver)
    return rows[wave - 1]["stage"] if len(rows) >= wave else None


def summary(driver):
    return driver.find_element(By.ID, "waves-summary").text


def stable_on_change(driver, cfg, wave):
    rows = wave_rows(driver)
    if len(rows) < wave:
        return False
    return all(c[1] == cfg["revisions"][c[0]] and ("stable on " + c[1][:8]) in c[2]
               for c in rows[wave - 1]["clusters"])


def shows_waves(driver, cfg):
    wait(driver, "the waves table", lambda: len(wave_rows(driver)) == len(cfg["waves"]))
    rows = wave_rows(driver)
    check([[c[0] for c in r["clusters"]] for r in rows] == cfg["waves"],
          "one row per wave with its clusters: %s" % [r["clusters"] for r in rows])
    for r in rows:
        for name, revision, _ in r["clusters"]:
            check(revision == cfg["revisions"][name],
                  "%s's revision of the change is shown: %s" % (name, revision))
    check(rows[1]["stage"] == "Waiting" and "wave 1" in rows[1]["detail"],
          "wave 2 waits for wave 1: %s, %s" % (rows[1]["stage"], rows[1]["detail"]))


def halt(driver, cfg):
    click(driver, "#btn-halt")
    confirm(driver, cfg["token"])
    wait(driver, "the halt on the page", lambda: summary(driver).startswith("Halted at wave 1"), 30)
    check(stage(driver, 2) == "Halted", "wave 2 is halted: %s" % stage(driver, 2))
    r = api(cfg["url"], "/api/v1/topologies/" + cfg["key"] + "/rollout")
    check(r["halted"] is True and r["failed"] is False and r["haltedWave"] == 1,
          "the API agrees: halted at wave %s by an operator" % r.get("haltedWave"))
    # The canary goes on: stable on the change, soaking; wave 2 still halted.
    wait(driver, "the canary stable and soaking", lambda: stable_on_change(driver, cfg, 1) and
         stage(driver, 1) == "Soaking", 90)
    check(stage(driver, 2) == "Halted", "wave 2 still halted while the canary soaks")
    check(not disabled(driver, "btn-promote") and disabled(driver, "btn-halt"),
          "promote is offered, halt is not")
    driver.execute_script("document.getElementById('waves').scrollIntoView()")
    driver.save_screenshot(os.path.join(cfg["screenshots"], "waves-halted.png"))


def promote(driver, cfg):
    click(driver, "#btn-promote")
    confirm(driver, cfg["token"])
    # Wave 1 is done at once (its soak skipped); wave 2 rolls, which only the other clusters'
    # changes show: the page's watch must wake for them.
    wait(driver, "wave 1 done", lambda: stage(driver, 1) == "Done", 30)
    wait(driver, "wave 2 stable on the change", lambda: stable_on_change(driver, cfg, 2), 120)
    check(stage(driver, 2) == "Soaking", "wave 2 soaks: %s" % stage(driver, 2))
    check("stable on" in " ".join(c[2] for c in wave_rows(driver)[0]["clusters"]) and
          "soak skipped" in " ".join(c[2] for c in wave_rows(driver)[0]["clusters"]),
          "the canary's soak shows as skipped")
    click(driver, "#btn-promote")
    confirm(driver, cfg["token"])
    wait(driver, "the rollout complete", lambda: summary(driver).startswith("Complete"), 30)
    check(all(r["stage"] == "Done" for r in wave_rows(driver)), "every wave done")
    r = api(cfg["url"], "/api/v1/topologies/" + cfg["key"] + "/rollout")
    check(r["complete"] is True, "the API agrees: complete")
    check(disabled(driver, "btn-halt"),
          "nothing to halt once complete")
    driver.save_screenshot(os.path.join(cfg["screenshots"], "waves-complete.png"))


def check_waves(driver, cfg):
    driver.get(cfg["url"] + "/topologies/" + cfg["key"])
    driver.execute_script("window.__sameDocument = 7;")
    shows_waves(driver, cfg)
    halt(driver, cfg)
    promote(driver, cfg)
    check(driver.execute_script("return window.__sameDocument;") == 7, "no reload")


if __name__ == "__main__":
    sys.exit(run(check_waves, "waves check"))
