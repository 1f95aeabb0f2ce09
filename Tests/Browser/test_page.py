"""The page (GET /) in headless Chromium, driven by Selenium: two browsers on one event, live
changes within a second, a lapsing hold, the bookings list and its cancel, and the token mode's
sign-in. Run by scripts/browser-tests, which starts the servers and passes their addresses:

    BROWSER_TRUSTING_URL  a BookingServer in the trusting mode, HOLD_SECONDS short
    BROWSER_TOKEN_URL     one in the token mode, with BROWSER_TOKEN_ALICE a token it accepts
    BROWSER_ADMIN_TOKEN   the servers' ADMIN_TOKEN
    BROWSER_HOLD_SECONDS  their HOLD_SECONDS
    BROWSER_SCREENSHOT    where to save a screenshot of the seat map (optional)
"""
import json
import os
import time
import unittest
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TRUSTING = os.environ["BROWSER_TRUSTING_URL"]
TOKEN = os.environ["BROWSER_TOKEN_URL"]
ALICE_TOKEN = os.environ["BROWSER_TOKEN_ALICE"]
ADMIN = os.environ["BROWSER_ADMIN_TOKEN"]
HOLD_SECONDS = int(os.environ["BROWSER_HOLD_SECONDS"])
SCREENSHOT = os.environ.get("BROWSER_SCREENSHOT")


def create_event(base, seats, name):
    request = urllib.request.Request(
        base + "/api/events", method="POST",
        data=json.dumps({"name": name, "total_seats": seats}).encode(),
        headers={"Authorization": "Bearer " + ADMIN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["event"]["id"]


def seats_of(base, event):
    with urllib.request.urlopen(f"{base}/api/events/{event}/seats", timeout=10) as response:
        return json.load(response)["seats"]


def browser(width=1200):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},900"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Page:
    """One browser on the page."""

    def __init__(self, base, width=1200):
        self.driver = browser(width)
        self.driver.get(base + "/")

    def wait(self, condition, timeout=5, message=""):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda _: condition(), message)

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def sign_in(self, user="", token=""):
        self.find("#user").clear()
        self.find("#user").send_keys(user)
        self.find("#token").clear()
        if token:
            self.find("#token").send_keys(token)
        self.find("#identity button[type=submit]").click()
        self.wait(lambda: self.find("#signed-in").text != "", message="no sign-in line")

    def open_event(self, event, seats):
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, f'#events button[data-event="{event}"]'), message="event not listed")
        self.find(f'#events button[data-event="{event}"]').click()
        self.wait(lambda: self.find("#availability").text.endswith(f"of {seats} seats free"), message="no map")

    def seat(self, number):
        return self.find(f'#seats button[data-seat="{number}"]')

    def state(self, number):
        classes = self.seat(number).get_attribute("class").split()
        return next(c for c in classes if c in ("free", "held", "taken", "mine"))

    def status(self):
        return self.find("#status").text

    def close(self):
        self.driver.quit()


class TwoBrowsersOnOneEvent(unittest.TestCase):
    def setUp(self):
        self.run_id = uuid.uuid4().hex[:8]
        self.event = create_event(TRUSTING, 30, f"Browser test {self.run_id}")
        self.alice = Page(TRUSTING)
        self.bob = Page(TRUSTING, width=390)  # phone width
        self.alice.sign_in(f"alice-{self.run_id}")
        self.bob.sign_in(f"bob-{self.run_id}")
        self.alice.open_event(self.event, 30)
        self.bob.open_event(self.event, 30)

    def tearDown(self):
        self.alice.close()
        self.bob.close()

    def test_a_hold_shows_in_the_other_browser_within_a_second_then_confirm_and_cancel(self):
        self.alice.seat(5).click()
        self.alice.find("#hold-selected").click()
        self.alice.wait(lambda: "held for you" in self.alice.status(), message="no hold")
        started = time.monotonic()
        self.bob.wait(lambda: self.bob.state(5) == "held", timeout=1, message="bob did not see the hold within 1 s")
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(self.alice.state(5), "mine")
        self.assertIn("left to confirm", self.alice.find("#countdown").text)
        self.assertEqual(self.bob.seat(5).get_attribute("aria-label"), "Seat 5, held")

        self.alice.find("#confirm").click()
        self.alice.wait(lambda: "is yours" in self.alice.status(), message="no confirm")
        started = time.monotonic()
        self.bob.wait(lambda: self.bob.state(5) == "taken", timeout=1, message="bob did not see the confirm within 1 s")
        self.assertLess(time.monotonic() - started, 1.0)

        # The bookings list and its cancel.
        self.alice.wait(lambda: "seat 5: confirmed" in self.alice.find("#mine").text, message="not in the list")
        self.alice.find("#mine button").click()
        self.alice.wait(lambda: "cancelled" in self.alice.status(), message="no cancel")
        self.bob.wait(lambda: self.bob.state(5) == "free", timeout=1, message="bob did not see the cancel within 1 s")
        self.alice.wait(lambda: "seat 5: cancelled" in self.alice.find("#mine").text, message="the list kept it live")
        self.assertEqual(seats_of(TRUSTING, self.event)[4], "0")

    def test_a_lapsing_hold_frees_the_seat_in_both_browsers(self):
        self.bob.find("#hold-next").click()
        self.bob.wait(lambda: "held for you" in self.bob.status(), message="no hold")
        self.alice.wait(lambda: self.alice.state(1) == "held", timeout=1, message="alice did not see the hold")
        self.assertEqual(self.bob.state(1), "mine")
        # The hold lapses; the expiry task moves it within a second or so, and both maps free it.
        for page in (self.alice, self.bob):
            page.wait(lambda: page.state(1) == "free", timeout=HOLD_SECONDS + 3, message="the lapsed hold stayed")
        self.assertIn("lapsed", self.bob.status())
        self.assertEqual(seats_of(TRUSTING, self.event)[0], "0")

    def test_the_map_answers_the_keyboard(self):
        grid = self.alice.seat(1)
        grid.click()
        self.alice.driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
        focused = self.alice.driver.switch_to.active_element
        self.assertEqual(focused.get_attribute("data-seat"), "3")
        focused.send_keys(Keys.ENTER)
        self.alice.wait(lambda: "Seat 3 picked" in self.alice.status(), message="Enter did not pick")
        self.assertEqual(self.alice.find("#selected-label").text, "3")
        self.assertEqual(self.alice.seat(3).get_attribute("tabindex"), "0")
        self.assertEqual(self.alice.seat(1).get_attribute("tabindex"), "-1")


def reserve(base, event, user, seat=None, hold=False):
    body = {"event_id": event, "user_id": user}
    if seat:
        body["seat_no"] = seat
    request = urllib.request.Request(
        base + ("/api/bookings/hold" if hold else "/api/bookings/reserve"), method="POST",
        data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["booking"]


class LargeEvent(unittest.TestCase):
    def test_an_event_of_20000_seats_opens_whole(self):
        event = create_event(TRUSTING, 20_000, f"Stadium {uuid.uuid4().hex[:8]}")
        for seat in (1, 2, 19_999):
            reserve(TRUSTING, event, f"fan-{uuid.uuid4().hex[:8]}", seat)
        page = Page(TRUSTING)
        try:
            started = time.monotonic()
            page.wait(lambda: page.driver.find_elements(By.CSS_SELECTOR, f'#events button[data-event="{event}"]'), message="not listed")
            page.find(f'#events button[data-event="{event}"]').click()
            page.wait(lambda: page.find("#availability").text == "19997 of 20000 seats free", timeout=30, message="the map did not open")
            elapsed = time.monotonic() - started
            self.assertEqual(len(page.driver.find_elements(By.CSS_SELECTOR, "#seats button")), 20_000)
            self.assertEqual(page.state(19_999), "taken")
            print(f"\n    an event of 20,000 seats: map built and painted in {elapsed:.2f} s", flush=True)
        finally:
            page.close()


@unittest.skipUnless(SCREENSHOT, "BROWSER_SCREENSHOT not set")
class Screenshot(unittest.TestCase):
    def test_the_seat_map_with_every_state(self):
        event = create_event(TRUSTING, 300, "Concert hall")
        taken = [3, 4, 5, 17, 18, 40, 41, 42, 43, 77, 78, 101, 102, 103, 150, 151, 152, 153, 154, 200, 230, 231, 260, 299]
        for seat in taken:
            reserve(TRUSTING, event, f"fan-{uuid.uuid4().hex[:8]}", seat)
        for seat in (60, 61, 120, 121, 122, 180):
            reserve(TRUSTING, event, f"fan-{uuid.uuid4().hex[:8]}", seat, hold=True)
        page = Page(TRUSTING, width=900)
        try:
            page.sign_in(f"zoe-{uuid.uuid4().hex[:6]}")
            page.open_event(event, 300)
            page.seat(88).click()
            page.find("#hold-selected").click()
            page.wait(lambda: "held for you" in page.status(), message="no hold")
            section = page.find("#event-section")
            page.driver.execute_script("arguments[0].scrollIntoView()", section)
            section.screenshot(SCREENSHOT)
        finally:
            page.close()


class TokenModeSignIn(unittest.TestCase):
    def test_a_token_signs_in_as_its_subject_and_books(self):
        run_id = uuid.uuid4().hex[:8]
        event = create_event(TOKEN, 10, f"Token test {run_id}")
        page = Page(TOKEN)
        try:
            page.sign_in(token=ALICE_TOKEN)
            self.assertIn("Signed in as alice", page.find("#signed-in").text)
            self.assertEqual(page.find("#user").get_attribute("value"), "alice")
            page.open_event(event, 10)
            page.find("#hold-next").click()
            page.wait(lambda: "held for you" in page.status(), message=f"no hold: {page.status()}")
            page.wait(lambda: "seat 1: held" in page.find("#mine").text, message="not in the list")
            page.find("#confirm").click()
            page.wait(lambda: "is yours" in page.status(), message="no confirm")
            # Without a token the server refuses the user.
            page.sign_in(user="alice")
            page.find("#hold-next").click()
            page.wait(lambda: "UNAUTHORIZED" in page.status(), message=f"not refused: {page.status()}")
        finally:
            page.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
