"""Load test: the three kinds of user against a production-configured server (bench/load.py runs it).

    var/bench/locust-venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 5 -t 30s \
        --host http://127.0.0.1:8100

Runs in its own virtualenv (locust pins gevent, Flask...: bench/requirements-locust.txt) and knows
nothing of Django: bench/load.py writes the accounts and ids it may use to
``var/bench/locust-users.json`` (``BENCH_LOCUST_USERS`` to point elsewhere).

- Expert (weight 6): signs in on the website; the portal home, the task list API, a review page
  of theirs, their opinion (GET) and now and then a save with ``If-Match`` (a 409 is a normal
  answer to a stale version, not a failure).
- Commission (weight 2): signs in; the reviews list, a consolidation (page and API), a roster search.
- Public reader (weight 12): no account; the site's home page, published pages, the search.
"""

import json
import os
import random
import re
import time
import warnings
from pathlib import Path

from locust import HttpUser, between, events, task

DATA = json.loads(
    Path(os.environ.get("BENCH_LOCUST_USERS", Path(__file__).resolve().parent.parent / "var/bench/locust-users.json"))
    .read_text()
)  # fmt: skip
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMES = os.environ.get("BENCH_LOCUST_TIMES")  # where to write every response time, sign-ins apart
SEEN = {"requests": [], "signins": []}  # [seconds since the start (at the answer), ms, failed, name]
STARTED = time.monotonic()
warnings.filterwarnings("ignore", message="Unverified HTTPS request")


@events.request.add_listener
def _keep(request_type, name, response_time, exception, **kwargs):
    # A sign-in (its form and its POST) is a deliberate password hash: reported apart (docs/benchmarks.md).
    kind = "signins" if name.startswith("/accounts/login/") else "requests"
    SEEN[kind].append([round(time.monotonic() - STARTED, 3), response_time, exception is not None, name])


@events.quitting.add_listener
def _write(environment, **kwargs):
    if TIMES:
        Path(TIMES).write_text(json.dumps(SEEN))


class Client(HttpUser):
    """Speaks HTTPS to the server's self-signed certificate (bench/load.py): the production
    settings mark cookies Secure, and a browser behind TLS is what they are for."""

    abstract = True

    def on_start(self):
        self.client.verify = False


class SignedIn(Client):
    abstract = True

    def sign_in(self, username):
        self.client.verify = False
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(page.text)
        self.client.post(
            "/accounts/login/",
            data={"username": username, "password": DATA["password"], "csrfmiddlewaretoken": token and token.group(1)},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (POST)",
        )

    def csrf_headers(self):
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": f"{self.host}/portal/"}


class Expert(SignedIn):
    weight = 6
    wait_time = between(1, 4)

    def on_start(self):
        self.me = random.choice(DATA["experts"])
        self.sign_in(self.me["username"])

    @task(3)
    def home(self):
        self.client.get("/portal/", name="/portal/ (expert)")

    @task(3)
    def task_list(self):
        self.client.get("/api/v1/assignments/?mine=1", name="/api/v1/assignments/?mine=1")

    @task(2)
    def review_page(self):
        review = random.choice(self.me["reviews"])
        self.client.get(f"/portal/reviews/{review}/", name="/portal/reviews/[id]/")

    @task(2)
    def save_opinion(self):
        review = random.choice(self.me["reviews"])
        url = f"/api/v1/reviews/{review}/opinion/"
        current = self.client.get(url, name="/api/v1/reviews/[id]/opinion/")
        if current.status_code != 200:
            return
        with self.client.put(
            url,
            json={"summary": f"负载测试 {random.random()}"},
            headers={**self.csrf_headers(), "If-Match": current.headers.get("ETag", "")},
            name="/api/v1/reviews/[id]/opinion/ (PUT)",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 409):
                response.success()


class Commission(SignedIn):
    weight = 2
    wait_time = between(2, 6)

    def on_start(self):
        self.sign_in(DATA["commission"])

    @task(2)
    def reviews(self):
        self.client.get("/api/v1/reviews/?page_size=50", name="/api/v1/reviews/")

    @task(2)
    def consolidation_page(self):
        self.client.get(
            f"/portal/reviews/{DATA['showcase']}/consolidation/", name="/portal/reviews/[id]/consolidation/"
        )

    @task(1)
    def consolidation_api(self):
        self.client.get(
            f"/api/v1/reviews/{DATA['showcase']}/consolidation/", name="/api/v1/reviews/[id]/consolidation/"
        )

    @task(1)
    def roster_search(self):
        self.client.get(f"/api/v1/experts/?q={random.choice(DATA['surnames'])}", name="/api/v1/experts/?q=")


class PublicReader(Client):
    weight = 12
    wait_time = between(1, 5)

    @task(4)
    def home(self):
        self.client.get("/", name="/ (site)")

    @task(4)
    def page(self):
        self.client.get(random.choice(DATA["public_pages"]), name="site page")

    @task(1)
    def search(self):
        self.client.get(f"/search/?q={random.choice(DATA['surnames'])}", name="/search/")
