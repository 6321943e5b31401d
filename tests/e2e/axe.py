"""axe-core in the browser tests: fail on any serious or critical WCAG 2.2 AA violation."""

from axe_playwright_python.sync_playwright import Axe

OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    # axe ships WCAG 2.2's target-size rule switched off.
    "rules": {"target-size": {"enabled": True}},
}

_axe = Axe()


def serious_violations(page, context=None) -> list[str]:
    """Ids and targets of serious or critical violations on the page (or within context)."""
    results = _axe.run(page, context=context, options=OPTIONS).response
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page, context=None) -> None:
    """Fail with the violations listed; call after every page load and every htmx swap."""
    found = serious_violations(page, context)
    assert found == [], f"axe found serious problems on {page.url}: {found}"
