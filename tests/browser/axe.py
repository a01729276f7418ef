"""axe-core in the browser tests: a page must have no accessibility violations."""

from axe_playwright_python.sync_playwright import Axe


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
