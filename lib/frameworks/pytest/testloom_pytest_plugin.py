"""testloom's pytest plugin, loaded into every execution of a pytest suite (`-p testloom_pytest_plugin`,
see lib/frameworks/pytest/runner.ts). The pytest counterpart of jest/test-tagging.ts:

- every request sent with `requests` goes to the recording proxy (`--testloom-proxy-origin`): a URL on
  another origin is sent to the proxy's forward path, where the host policy applies, and each request
  names the test that sent it in the x-testloom-test header, so exchanges are matched to tests exactly;
  a request the proxy refused raises an error instead of answering;
- each test's outcome, duration and failure message, and each file that could not be collected, are
  written as JSON to `--testloom-report` when the session ends: results are never read from pytest's text;
- with `--testloom-plan` (a JSON file: {"order": [[file, fullName], …], "budget": n}) the collected tests
  run in that order (tests it does not name after those it names) and only the first `budget` of them:
  the others are deselected. Collected tests that did not run (deselected, or after a failure with -x)
  are reported skipped.

A test's name is "<Class> <docstring>" (classes outermost first; "<docstring>" for a function outside
a class), the way test-source.ts names it; a test without a docstring, or a parametrized one,
is named by its node id without the file ("TestPets::test_list", "test_add[1-2]").
"""
import inspect
import json
import os
from urllib.parse import quote, unquote, urlsplit

import pytest

# The same as TEST_HEADER, REFUSED_HEADER and FORWARD_PREFIX in lib/frameworks/shared/proxy-protocol.ts.
TEST_HEADER = "x-testloom-test"
REFUSED_HEADER = "x-testloom-refused"
FORWARD_PREFIX = "/__testloom/forward/"


class RefusedRequest(RuntimeError):
    """The proxy did not send the request anywhere (another host, a method the target does not allow)."""


def pytest_addoption(parser):
    group = parser.getgroup("testloom")
    group.addoption("--testloom-report", dest="testloom_report", help="write the JSON report of the run to this file")
    group.addoption("--testloom-proxy-origin", dest="testloom_proxy_origin", help="send every request through the recording proxy at this origin")
    group.addoption("--testloom-plan", dest="testloom_plan", help="run the tests in the order, and within the budget, this JSON file gives")


class _Run:
    """What one session reports, and the test that is running now."""

    def __init__(self, config):
        self.rootpath = str(config.rootpath)
        self.report_file = config.getoption("testloom_report")
        self.proxy_origin = (config.getoption("testloom_proxy_origin") or "").rstrip("/")
        self.plan_file = config.getoption("testloom_plan")
        self.tags = {}  # nodeid -> {"file", "fullName"}
        self.results = {}  # nodeid -> result, in the order the tests ran
        self.file_errors = []
        self.current = None  # the running test's header value
        self.original_send = None

    def relative(self, path):
        return os.path.relpath(str(path), self.rootpath).replace(os.sep, "/")


_run = None


def _full_name(item):
    tail = item.nodeid.split("::", 1)[1] if "::" in item.nodeid else item.nodeid
    function = getattr(item, "obj", None)
    doc = getattr(function, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip() or getattr(item, "callspec", None) is not None:
        return tail
    classes = [node.name for node in item.listchain() if isinstance(node, pytest.Class)]
    return " ".join([*classes, inspect.cleandoc(doc)])


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _route_requests(run):
    """Sends every request of every requests.Session (requests.get & co. use one) through the proxy."""
    try:
        import requests
    except ImportError:
        return
    original = requests.Session.send
    run.original_send = original

    def send(session, request, **kwargs):
        if run.proxy_origin and _origin(request.url) != run.proxy_origin.lower():
            request.url = run.proxy_origin + FORWARD_PREFIX + quote(request.url, safe="")
        if run.current is not None:
            request.headers[TEST_HEADER] = run.current
        else:
            request.headers.pop(TEST_HEADER, None)
        response = original(session, request, **kwargs)
        refused = response.headers.get(REFUSED_HEADER)
        if refused:
            response.close()
            raise RefusedRequest("testloom refused the request: " + unquote(refused))
        return response

    requests.Session.send = send


def pytest_configure(config):
    global _run
    _run = _Run(config)
    # Every request of the session, also those made while collecting (at import) or by fixtures.
    _route_requests(_run)


def pytest_unconfigure(config):
    global _run
    if _run is not None and _run.original_send is not None:
        import requests

        requests.Session.send = _run.original_send
    _run = None


def pytest_itemcollected(item):
    _run.tags[item.nodeid] = {"file": _run.relative(item.path), "fullName": _full_name(item)}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if not _run.plan_file:
        return
    with open(_run.plan_file, encoding="utf-8") as source:
        plan = json.load(source)
    rank = {(file, full_name): index for index, (file, full_name) in enumerate(plan["order"])}

    def position(item):
        tag = _run.tags.get(item.nodeid)
        index = rank.get((tag["file"], tag["fullName"])) if tag else None
        return (0, index) if index is not None else (1, 0)

    # A stable sort: tests the plan does not name keep their collection order, after the others.
    items.sort(key=position)
    budget = plan.get("budget")
    if budget is not None and len(items) > budget:
        left_out = items[budget:]
        del items[budget:]
        config.hook.pytest_deselected(items=left_out)


def pytest_collectreport(report):
    if report.failed:
        _run.file_errors.append({"file": report.nodeid.split("::", 1)[0], "message": report.longreprtext.strip()})


def pytest_runtest_logstart(nodeid, location):
    tag = _run.tags.get(nodeid)
    _run.current = quote(json.dumps(tag, ensure_ascii=False, separators=(",", ":")), safe="") if tag else None


def pytest_runtest_logfinish(nodeid, location):
    _run.current = None


def _failure_message(report):
    text = report.longreprtext.strip()
    crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", None)
    # The exception first, as Jest's failure messages start: the traceback follows.
    return f"{crash}\n\n{text}" if crash and not text.startswith(crash) else text


def pytest_runtest_logreport(report):
    result = _run.results.get(report.nodeid)
    if result is None:
        tag = _run.tags.get(report.nodeid) or {"file": report.nodeid.split("::", 1)[0], "fullName": report.nodeid.split("::", 1)[-1]}
        result = _run.results[report.nodeid] = {**tag, "outcome": "passed", "durationMs": 0.0, "failures": []}
    result["durationMs"] += report.duration * 1000
    if report.failed:
        result["outcome"] = "failed"
        result["failures"].append((f"{report.when} failed: " if report.when != "call" else "") + _failure_message(report))
    elif report.skipped and result["outcome"] != "failed":
        result["outcome"] = "skipped"


def pytest_sessionfinish(session, exitstatus):
    if not _run.report_file:
        return
    tests = []
    for result in _run.results.values():
        test = {"file": result["file"], "fullName": result["fullName"], "outcome": result["outcome"], "durationMs": round(result["durationMs"])}
        if result["outcome"] == "failed" and result["failures"]:
            test["failureMessage"] = "\n\n".join(result["failures"])
        tests.append(test)
    if _run.plan_file:
        # Deselected by the budget, or not reached after a failure (-x): no evidence either way.
        for nodeid, tag in _run.tags.items():
            if nodeid not in _run.results:
                tests.append({"file": tag["file"], "fullName": tag["fullName"], "outcome": "skipped", "durationMs": 0})
    report = {"tests": tests, "fileErrors": _run.file_errors, "exitStatus": int(exitstatus)}
    partial = _run.report_file + ".partial"
    with open(partial, "w", encoding="utf-8") as out:
        json.dump(report, out, ensure_ascii=False)
    os.replace(partial, _run.report_file)
