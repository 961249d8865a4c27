#!/usr/bin/env python3
"""Drives Examples/webmail in a real browser (headless Chromium through chromedriver, Selenium).

    webmail_browser_test.py --webmail .build/debug/webmail [--screenshots DIR] [--testbed-env FILE]

1. On the built-in fake servers (no --home): add an account, watch the connection indicator reach
   "confirmation sent", open the confirmation e-mail's link, see the mail appear in the new folder
   with the chosen diamond colour (a hostile subject and sender shown as text), reply as the linked
   address (the From menu picks the address the message came to) and see it arrive at the fake
   SMTP server with that From, see the reply appear in the folder without a reload, unlink. Then
   the failure paths: a wrong password shows the diagnosis in words, an unknown provider takes
   the manual settings of "Advanced options", an OAuth-only provider says so, and the
   troubleshooting checklist runs step by step.
2. With --testbed-env: the same flow once against the bench's Dovecot and Postfix (primary
   mallory@example.test, linked nina@example.test).

A screenshot of each step goes to --screenshots. Prints one line per check and ends with
"N passed, N failed"; exit status 0 only when every check passed.
"""

import argparse
import email
import email.policy
import glob
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

# Answers are immediate; the limit is for a loaded CI machine.
WAIT = 60
# Every password typed or configured in this test: none may appear in a page or in the server's output.
SECRETS = ["demo-app-password", "other-password", "not-the-password", "a-password", "any-password", "nina-password",
           "mallory-password", "demo-primary-password"]


def where(error):
    """The line of this script where `error` was raised (the innermost frame of this file)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == __file__]
    return f"line {frames[-1].lineno} ({frames[-1].line})" if frames else "?"


def check_output(checks, prefix, log_path):
    with open(log_path, encoding="utf-8") as file:
        output = file.read()
    checks.check(prefix + "no password appears in the server's output", not any(s in output for s in SECRETS))


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)
        return condition


class Webmail:
    """A webmail process, its URL, and its output collected in a log file."""

    def __init__(self, binary, arguments, log_path):
        self.log = open(log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [binary, "--port", "0"] + arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = None
        self.lines = []
        self.drain = None
        deadline = time.time() + WAIT
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.log.write(line)
            self.lines.append(line)
            found = re.search(r"webmail: (http://127\.0\.0\.1:\d+)/", line)
            if found:
                self.url = found.group(1)
                break
        if not self.url:
            self.stop()
            raise RuntimeError("webmail did not start:\n" + "".join(self.lines))
        self.drain = threading.Thread(target=self._drain, daemon=True)
        self.drain.start()

    def _drain(self):
        for line in self.process.stdout:
            self.log.write(line)
            self.log.flush()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.drain:
            self.drain.join(timeout=WAIT)
        self.log.close()


class Browser:
    def __init__(self, screenshots):
        options = Options()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1100,900", "--lang=en"]:
            options.add_argument(argument)
        service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(WAIT)
        self.screenshots = screenshots
        self.shot = 0
        self.pages = []

    def screenshot(self, name):
        # The page's markup too: the checks at the end look for passwords in every page shown.
        for attempt in range(50):  # a page being replaced has no source for a moment
            try:
                self.pages.append((name, self.driver.page_source))
                break
            except WebDriverException:
                time.sleep(0.1)
        self.shot += 1
        self.driver.save_screenshot(os.path.join(self.screenshots, f"{self.shot:02d}-{name}.png"))

    def wait(self, condition, message):
        # The mailbox replaces its rows when new mail comes: an element found a moment ago may be gone.
        return WebDriverWait(self.driver, WAIT, poll_frequency=0.1,
                             ignored_exceptions=[StaleElementReferenceException]).until(condition, message)

    def find(self, css):
        return self.wait(lambda d: d.find_element(By.CSS_SELECTOR, css), f"no element {css}")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def fill(self, fields):
        for name, value in fields.items():
            element = self.driver.find_element(By.NAME, name) if "#" not in name else self.find(name)
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)

    def open_advanced(self):
        details = self.find("details#advanced")
        if details.get_attribute("open") is None:
            details.find_element(By.TAG_NAME, "summary").click()

    def quit(self):
        self.driver.quit()


def add_account(browser, url, address, password, marker=None, advanced=None, destination=None):
    """Fills the add form (or the one shown again after a failure) and saves it."""
    if url:
        browser.driver.get(url + "/accounts/add")
    browser.fill({"address": address, "password": password})
    if destination:
        browser.find(f"input[name=destination][value={destination}]").click()
    if marker:
        browser.find(f"input[name=marker][value={marker}]").click()
    if advanced:
        browser.open_advanced()
        browser.fill(advanced)
    browser.screenshot(f"add-{address.split('@')[0]}")
    save = browser.find("form.add-account button#save")
    save.click()
    # The form may stand on the page of an earlier outcome: wait until that page is gone.
    browser.wait(expected_conditions.staleness_of(save), "saving the form did not leave the page")


def open_details(element, title):
    """Opens the <details> of `element` whose summary reads `title`."""
    for summary in element.find_elements(By.TAG_NAME, "summary"):
        if summary.text == title:
            summary.click()


def wait_for_outcome(browser):
    """Waits for the indicator's flow to end (the page then loads again with the outcome)."""
    return browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#outcome").get_attribute("data-outcome"),
                        "the flow did not end")


def marker_of_rows(browser):
    return [(row.find_element(By.CSS_SELECTOR, "td.subject").text,
             row.find_element(By.CSS_SELECTOR, "td.marker svg").get_attribute("data-marker"),
             row.find_element(By.CSS_SELECTOR, "td.marker svg path").get_attribute("fill"))
            for row in browser.driver.find_elements(By.CSS_SELECTOR, "table.messages tbody tr")]


def demo_flow(browser, webmail, checks):
    url = webmail.url
    driver = browser.driver
    linked, password = "you@linked.example", "demo-app-password"

    driver.get(url + "/mail")
    checks.check("the mailbox page shows the folder list and the Add button",
                 browser.find("#add-account").text == "Add an e-mail account")
    browser.screenshot("mailbox-empty")

    # Add the account: found by the demo's table; a green diamond on a new folder.
    browser.find("#add-account").click()
    add_account(browser, None, linked, password, marker="green")
    steps = browser.wait(
        lambda d: "confirmation sent to " + linked in d.find_element(By.ID, "steps").text and d.find_element(By.ID, "steps"),
        "the indicator never reached 'confirmation sent'")
    checks.check("the connection indicator shows the flow's steps up to 'confirmation sent'",
                 all(word in steps.text for word in ["found", "connecting to 127.0.0.1", "signing in", "connected"]),
                 steps.text)
    checks.check("the flow ends with the confirmation sent", wait_for_outcome(browser) == "confirmation-sent")
    browser.screenshot("indicator-confirmation-sent")
    browser.find("#next").click()
    checks.check("the check-your-email page names the address", browser.find("#sent-to").text == linked)
    browser.screenshot("check-your-email")

    # The confirmation e-mail, in the linked mailbox as its provider shows it.
    def confirmation_link(d):
        d.get(url + "/demo")
        return d.find_elements(By.CSS_SELECTOR, "a.confirmation-link")
    links = browser.wait(confirmation_link, "the confirmation e-mail never reached the linked mailbox")
    browser.screenshot("confirmation-email")
    links[0].click()
    checks.check("the link lands on the confirmation page and changes nothing by itself",
                 browser.find("#confirm-link").text == "Confirm this address")
    browser.screenshot("confirmation-landing")
    browser.find("#confirm-link").click()
    checks.check("the button confirms the address", linked in browser.find("#confirmed").text)
    browser.screenshot("confirmed")
    browser.find("#open-folder").click()

    # The mail in the new folder, each message with the green diamond.
    rows = browser.wait(lambda d: len(marker_of_rows(browser)) >= 4 and marker_of_rows(browser),
                        "the mail never appeared in the folder")
    folder = browser.find(".folders a[aria-current]").get_attribute("data-folder")
    checks.check("the mail appears in the new folder named after the account", folder.startswith("you@linked"), folder)
    folder_url = driver.current_url
    checks.check("every linked message carries the chosen diamond colour (green #107c10)",
                 all(marker == "green" and fill == "#107c10" for _, marker, fill in rows), str(rows))
    folder_diamond = browser.find(".folders a[aria-current] svg").get_attribute("data-marker")
    checks.check("the folder list shows the account's folder with its diamond", folder_diamond == "green")
    checks.check("a hostile subject is shown as text, not run",
                 any(subject.startswith('<script>alert("subject")</script>') for subject, _, _ in rows), str(rows))
    checks.check("a hostile sender is shown as text, not run",
                 "<img src=x onerror=alert(1)>" in browser.text())
    checks.check("the unread count shows", browser.find(".folders a[aria-current] .unread").text.isdigit())
    browser.screenshot("folder-with-mail")
    # This page must stay the same page (no reload) while new mail arrives below.
    driver.execute_script("window.webmailTestMark = 'still here';")
    first_tab = driver.current_window_handle

    # Reply in a second tab: the From menu picks the address the message came to.
    driver.switch_to.new_window("tab")
    driver.get(folder_url)
    for row in browser.driver.find_elements(By.CSS_SELECTOR, "table.messages tbody tr"):
        if row.find_element(By.CSS_SELECTOR, "td.subject").text == "Welcome to your old mailbox":
            row.find_element(By.CSS_SELECTOR, "td.subject a").click()
            break
    checks.check("the message view shows the message", "This message waited on the old server." in browser.find("pre.body").text)
    browser.screenshot("message")
    browser.find("#reply").click()
    chosen = Select(browser.find("select#from")).first_selected_option.get_attribute("value")
    options = [o.get_attribute("value") for o in Select(browser.find("select#from")).options]
    checks.check("the From menu offers every linked address", set(options) >= {"me@primary.example", linked}, str(options))
    checks.check("reply preselects the address the message came to", chosen == linked, chosen)
    browser.fill({"to": linked + ", anna@friends.example", "body": "Thank you, from the web page."})
    browser.screenshot("compose-reply")
    browser.find("#send").click()
    checks.check("the message is sent", "Sent from " + linked in browser.find(".notice").text)

    driver.get(url + "/demo")
    sent = [(r.find_element(By.CSS_SELECTOR, ".envelope-from").text, r.find_element(By.CSS_SELECTOR, ".header-from").text,
             r.find_element(By.CSS_SELECTOR, ".subject").text)
            for r in driver.find_elements(By.CSS_SELECTOR, "tr.sent-message")]
    checks.check("it arrived at the fake SMTP server from the linked address (envelope and From)",
                 any(envelope == linked and linked in header and subject == "Re: Welcome to your old mailbox"
                     for envelope, header, subject in sent), str(sent))
    browser.screenshot("demo-servers")

    # Check now: the reply (also sent to the linked address) comes back, and the first tab shows it.
    driver.get(url + "/accounts")
    section = browser.find(f"section.account[data-account='{linked}']")
    checks.check("the accounts page shows the account confirmed with its last check",
                 section.find_element(By.CSS_SELECTOR, ".status").get_attribute("data-status") == "confirmed"
                 and "fetched" in section.text, section.text)
    browser.screenshot("accounts")
    section.find_element(By.CSS_SELECTOR, "button.check-now").click()
    driver.switch_to.window(first_tab)
    try:
        browser.wait(lambda d: any(s == "Re: Welcome to your old mailbox" for s, _, _ in marker_of_rows(browser)),
                     "the new message did not appear")
        appeared = True
    except TimeoutException:
        appeared = False
    checks.check("new mail appears in the open folder without a reload",
                 appeared and driver.execute_script("return window.webmailTestMark") == "still here")
    browser.screenshot("new-mail-without-reload")

    # The checklist, step by step.
    driver.get(url + "/accounts")
    browser.find(f"section.account[data-account='{linked}'] button.troubleshoot").click()
    checks.check("the troubleshooting checklist passes step by step", wait_for_outcome(browser) == "passed"
                 and len(driver.find_elements(By.CSS_SELECTOR, "#steps li.pass")) >= 3, browser.text())
    browser.screenshot("troubleshooting")

    # Change the marker, and try a wrong new password (it is checked before it is saved).
    driver.get(url + "/accounts")
    section = browser.find(f"section.account[data-account='{linked}']")
    open_details(section, "Change folder, marker or copies")
    Select(section.find_element(By.CSS_SELECTOR, "select[name=marker]")).select_by_value("red")
    section.find_element(By.CSS_SELECTOR, "form[action='/accounts/update'] button").click()
    notice = browser.find(".notice").text  # the page after the change
    section = browser.find(f"section.account[data-account='{linked}']")
    checks.check("changing the marker is saved", "Saved:" in notice
                 and section.find_element(By.CSS_SELECTOR, "h2 svg").get_attribute("data-marker") == "red", notice)
    open_details(section, "Change password")
    section.find_element(By.CSS_SELECTOR, "form[action='/accounts/password'] input[name=password]").send_keys("wrong")
    section.find_element(By.CSS_SELECTOR, "form[action='/accounts/password'] button").click()
    try:  # the page before had a notice too: wait for the new one
        refused = browser.wait(lambda d: "password" in d.find_element(By.CSS_SELECTOR, ".notice").text.lower()
                               and d.find_element(By.CSS_SELECTOR, ".notice").text, "no notice about the password")
    except TimeoutException as error:
        refused = str(error)
    checks.check("a wrong new password is refused with what to try", "What to try:" in refused, refused)
    browser.screenshot("accounts-changed")

    # Phone width.
    driver.set_window_size(390, 844)
    driver.get(folder_url)
    width, visible = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    checks.check("the mailbox is readable at phone width (no sideways scrolling)", width <= visible, f"{width} > {visible}")
    browser.screenshot("phone-width")
    driver.set_window_size(1100, 900)

    # Keyboard: the Add button is reached with Tab and followed with Enter.
    driver.get(url + "/mail")
    reached = False
    for _ in range(30):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element.get_attribute("id") == "add-account":
            reached = True
            break
    if reached:
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        browser.wait(lambda d: "/accounts/add" in d.current_url, "Enter did not follow the link")
    checks.check("the Add button is reachable with the keyboard", reached and "/accounts/add" in driver.current_url)

    # Unlink.
    driver.get(url + "/accounts")
    section = browser.find(f"section.account[data-account='{linked}']")
    open_details(section, "Unlink")
    section.find_element(By.CSS_SELECTOR, "button#unlink").click()
    checks.check("unlink removes the account", linked + " is unlinked" in browser.find(".notice").text
                 and not driver.find_elements(By.CSS_SELECTOR, f"section.account[data-account='{linked}']"))
    browser.screenshot("unlinked")

    # Failure: a wrong password, in words; the form comes back with Advanced options filled in.
    add_account(browser, url, linked, "not-the-password")
    checks.check("a wrong password ends the flow with the manual settings offered",
                 wait_for_outcome(browser) == "needs-manual-settings")
    diagnosis = browser.find(".diagnosis")
    checks.check("the diagnosis of a wrong password is in words",
                 diagnosis.get_attribute("data-stage") == "authentication" and "What to try:" in diagnosis.text
                 and len(diagnosis.find_element(By.CSS_SELECTOR, ".summary").text) > 10, diagnosis.text)
    checks.check("Advanced options are open and filled in with the found settings",
                 browser.find("details#advanced").get_attribute("open") is not None
                 and browser.find("#host").get_attribute("value") == "127.0.0.1")
    browser.screenshot("wrong-password")

    # Failure: a provider nobody knows, then the manual settings of Advanced options.
    other = "other@elsewhere.example"
    add_account(browser, url, other, "other-password", marker="purple")
    checks.check("an unknown provider asks for the settings by hand",
                 wait_for_outcome(browser) == "needs-manual-settings"
                 and browser.find(".diagnosis").get_attribute("data-stage") == "discovery", browser.text())
    browser.screenshot("unknown-provider")
    ports = dict(re.findall(r"fake (POP3|SMTP) server \(TLS\) for .* port (\d+)", "".join(webmail.lines)))
    add_account(browser, None, other, "other-password", advanced={
        "user": other, "host": "127.0.0.1", "port": ports["POP3"], "security": "tls",
        "smtp-host": "127.0.0.1", "smtp-port": ports["SMTP"], "smtp-security": "tls"})
    checks.check("Advanced options take manual settings and link the account",
                 wait_for_outcome(browser) == "confirmation-sent", browser.text())
    browser.screenshot("manual-settings-linked")

    # Confirm it with the short code typed on the check-your-email page, after a resend.
    driver.get(url + "/accounts")
    browser.find(f"section.account[data-account='{other}'] button.resend").click()
    checks.check("the confirmation can be sent again", "A new confirmation e-mail was sent" in browser.find(".notice").text)

    def newest_code(d):
        d.get(url + "/demo")
        texts = [item.find_element(By.CSS_SELECTOR, "pre.body").get_attribute("textContent")
                 for item in d.find_elements(By.CSS_SELECTOR, f"li.remote-message[data-mailbox='{other}']")]
        codes = [re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", text) for text in texts if "/confirm?token=" in text]
        return len(codes) >= 2 and codes[-1] and codes[-1][0]
    code = browser.wait(newest_code, "the second confirmation e-mail did not arrive")
    driver.get(url + "/accounts/check-email?address=" + other)
    browser.fill({"code": code})
    browser.screenshot("confirm-by-code")
    browser.find("#confirm-code").click()
    checks.check("the short code confirms the address", other in browser.find("#confirmed").text, browser.text())

    # Failure: an OAuth-only provider: the library's diagnosis, before any password is sent.
    add_account(browser, url, "someone@outlook.com", "a-password")
    wait_for_outcome(browser)
    diagnosis = browser.find(".diagnosis")
    checks.check("an OAuth-only provider is explained in words",
                 diagnosis.get_attribute("data-stage") == "OAuth required"
                 and "no password was sent" in diagnosis.text, diagnosis.text)
    checks.check("it offers signing in with the provider instead",
                 browser.find("#oauth-device").text == "Sign in with a code")
    browser.screenshot("oauth-only-provider")

    # OAuth: the demo's mailbox that takes only tokens, linked by signing in with a code.
    oauth_address = "you@oauth.example"
    add_account(browser, url, oauth_address, "any-password", marker="teal")
    checks.check("a mailbox that takes only OAuth refuses the password", wait_for_outcome(browser) == "needs-manual-settings")
    browser.find("#oauth-device").click()
    prompt = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#steps li.authorize").text, "no sign-in code shown")
    code = re.search(r"enter the code (\S+)", prompt)
    checks.check("the indicator shows the code and the provider's page", code is not None
                 and browser.find("#steps li.authorize a").get_attribute("href").startswith("http://127.0.0.1:"), prompt)
    browser.screenshot("oauth-code")
    progress = driver.current_url
    driver.get(url + "/demo")
    browser.fill({"code": code.group(1) if code else ""})
    browser.find("#approve-code").click()
    checks.check("the provider's page takes the code", "Signed in" in browser.find(".notice").text)
    driver.get(progress)
    checks.check("once signed in, the flow goes on to the confirmation e-mail",
                 wait_for_outcome(browser) == "confirmation-sent", browser.text())
    checks.check("the indicator shows the sign-in step", "signed in" in browser.find("#steps").text.lower(),
                 browser.find("#steps").text)
    browser.screenshot("oauth-linked")

    # Its confirmation, then its mail, fetched with the tokens.
    def oauth_link(d):
        d.get(url + "/demo")
        return d.find_elements(By.CSS_SELECTOR, f"li.remote-message[data-mailbox='{oauth_address}'] a.confirmation-link")
    browser.wait(oauth_link, "no confirmation e-mail in the OAuth mailbox")[-1].click()
    browser.find("#confirm-link").click()
    checks.check("the OAuth account is confirmed", oauth_address in browser.find("#confirmed").text)
    browser.find("#open-folder").click()
    rows = browser.wait(lambda d: [r for r in marker_of_rows(browser) if r[0] == "Signed in without a password"],
                        "the OAuth mailbox's mail did not appear")
    checks.check("its mail is fetched with the tokens, with its teal diamond", rows[0][1] == "teal", str(rows))

    # The other sign-in: in this browser, the provider's page coming back to the flow by itself.
    add_account(browser, url, oauth_address, "any-password", marker="teal")
    wait_for_outcome(browser)
    browser.find("#oauth-browser").click()
    link = browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#steps li.authorize a"), "no sign-in page offered")
    progress, tab = driver.current_url, driver.current_window_handle
    link.click()  # a new tab: the provider's page, which sends the browser back to the flow's listener
    browser.wait(lambda d: len(d.window_handles) > 1, "the sign-in page did not open")
    driver.switch_to.window(tab)
    driver.get(progress)
    checks.check("signing in in the browser updates the linked account",
                 wait_for_outcome(browser) in ("updated", "confirmation-sent"), browser.text())
    browser.screenshot("oauth-browser-signed-in")


def read_maildir(maildir, needle, after):
    """The newest message in a Maildir that contains `needle`, delivered after `after`."""
    found = []
    for path in glob.glob(os.path.join(maildir, "new", "*")) + glob.glob(os.path.join(maildir, "cur", "*")):
        try:
            if os.path.getmtime(path) < after:
                continue
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            continue
        message = email.message_from_bytes(data, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part else ""
        if needle in text or needle in data.decode("utf-8", "replace"):
            found.append((os.path.getmtime(path), message, text))
    return max(found, key=lambda entry: entry[0])[1:] if found else None


def bench_flow(browser, binary, env_file, work, checks):
    env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line and not line.startswith("#"))
    primary, linked = "mallory@example.test", "nina@example.test"
    if not checks.check("bench: the bench has the users mallory and nina",
                        "MAILLINK_USER_MALLORY_MAILDIR" in env and "MAILLINK_USER_NINA_MAILDIR" in env,
                        "scripts/testbed must create mallory@example.test and nina@example.test"):
        return
    home = tempfile.mkdtemp(prefix="webmail-bench-", dir=work)
    secret = os.path.join(home, "primary-password")
    with open(secret, "w") as file:
        file.write("mallory-password\n")
    os.chmod(secret, 0o600)
    started = time.time() - 1
    webmail = Webmail(binary, [
        "--home", home, "--primary", primary, "--server", f"{env['MAILLINK_HOST']}:{env['MAILLINK_SUBMISSION_PORT']}",
        "--security", "starttls", "--user", primary, "--password-file", secret, "--ca", env["MAILLINK_CA_FILE"],
        "--offline"], os.path.join(browser.screenshots, "webmail-bench.log"))
    try:
        url = webmail.url
        add_account(browser, url, linked, "nina-password", marker="orange", advanced={
            "user": linked, "host": env["MAILLINK_HOST"], "port": env["MAILLINK_POP3S_PORT"], "security": "tls",
            "smtp-host": env["MAILLINK_HOST"], "smtp-port": env["MAILLINK_SMTPS_PORT"], "smtp-security": "tls"})
        checks.check("bench: linking nina at Dovecot reaches 'confirmation sent' (sent through Postfix)",
                     wait_for_outcome(browser) == "confirmation-sent", browser.text())
        browser.screenshot("bench-confirmation-sent")

        maildir = env["MAILLINK_USER_NINA_MAILDIR"]
        confirmation = None
        deadline = time.time() + WAIT
        while confirmation is None and time.time() < deadline:
            confirmation = read_maildir(maildir, url + "/confirm?token=", started)
            time.sleep(0.2)
        checks.check("bench: the confirmation e-mail arrives in nina's Dovecot mailbox", confirmation is not None)
        if confirmation is None:
            return
        link = re.search(re.escape(url) + r"/confirm\?token=[A-Za-z0-9_-]+", confirmation[1]).group(0)
        browser.driver.get(link)
        browser.find("#confirm-link").click()
        checks.check("bench: the link confirms nina", linked in browser.find("#confirmed").text)
        browser.find("#open-folder").click()
        rows = browser.wait(lambda d: marker_of_rows(browser), "bench: no mail appeared")
        checks.check("bench: nina's mail (the confirmation itself among it) appears with the orange diamond",
                     all(marker == "orange" for _, marker, _ in rows) and len(rows) >= 1, str(rows))
        browser.screenshot("bench-folder")

        token = f"bench-{int(time.time())}"
        browser.driver.get(url + "/compose")
        Select(browser.find("select#from")).select_by_value(linked)
        browser.fill({"to": primary, "subject": "From the web page " + token, "body": "Sent as nina through Postfix."})
        browser.find("#send").click()
        checks.check("bench: sent as nina", "Sent from " + linked in browser.find(".notice").text, browser.text())
        arrived = None
        deadline = time.time() + WAIT
        while arrived is None and time.time() < deadline:
            arrived = read_maildir(env["MAILLINK_USER_MALLORY_MAILDIR"], token, started)
            time.sleep(0.2)
        checks.check("bench: it arrives in mallory's mailbox through Postfix with From nina",
                     arrived is not None and linked in str(arrived[0]["From"]),
                     str(arrived[0]["From"]) if arrived else "nothing arrived")

        browser.driver.get(url + "/accounts")
        section = browser.find(f"section.account[data-account='{linked}']")
        open_details(section, "Unlink")
        section.find_element(By.CSS_SELECTOR, "button#unlink").click()
        checks.check("bench: unlink removes nina", linked + " is unlinked" in browser.find(".notice").text)
        browser.screenshot("bench-unlinked")
    finally:
        webmail.stop()
    check_output(checks, "bench: ", os.path.join(browser.screenshots, "webmail-bench.log"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--webmail", required=True)
    parser.add_argument("--screenshots", default=".build/webmail-screenshots")
    parser.add_argument("--testbed-env")
    arguments = parser.parse_args()
    os.makedirs(arguments.screenshots, exist_ok=True)
    for old in glob.glob(os.path.join(arguments.screenshots, "*.png")):
        os.remove(old)
    work = tempfile.mkdtemp(prefix="webmail-browser-test-")
    checks = Checks()
    browser = Browser(arguments.screenshots)
    try:
        webmail = Webmail(arguments.webmail, [], os.path.join(arguments.screenshots, "webmail-demo.log"))
        try:
            demo_flow(browser, webmail, checks)
        except Exception as error:  # a step that could not even run counts as a failure, with its page
            checks.check("the demo flow ran to its end", False, f"{type(error).__name__} at {where(error)}: {error}")
            browser.screenshot("failure")
        finally:
            webmail.stop()
        check_output(checks, "", os.path.join(arguments.screenshots, "webmail-demo.log"))
        if arguments.testbed_env:
            try:
                bench_flow(browser, arguments.webmail, arguments.testbed_env, work, checks)
            except Exception as error:
                checks.check("the bench flow ran to its end", False,
                             f"{type(error).__name__} at {where(error)}: {error}")
                browser.screenshot("bench-failure")
        shown = [name for name, source in browser.pages if any(secret in source for secret in SECRETS)]
        checks.check(f"no password appears in any of the {len(browser.pages)} pages shown", not shown, str(shown))
    finally:
        browser.quit()
    print(f"screenshots: {arguments.screenshots}")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 and checks.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
