"""The sidebar's counts as a browser gets them: the page names the address of its counts
(``hx-get``), and that answer swaps each count into its place."""

import html
import re

from sampark.workspace import queues

COUNTS_ADDRESS = re.compile(r'hx-get="(/queues/counts/[^"]*)"')


def counts_address(response) -> str:
    found = COUNTS_ADDRESS.search(response.content.decode())
    assert found, "the page has no sidebar counts"
    return html.unescape(found.group(1))


def sidebar_counts(response) -> dict[str, int]:
    """Every named queue's count and ``swarm_requests``, fetched with the page's client."""
    answer = response.client.get(counts_address(response))
    assert answer.status_code == 200
    fragment = answer.content.decode()
    found = {}
    for name in [*queues.NAMED_QUEUES, "swarm_requests"]:
        count = re.search(rf'id="queue-count-{name}" hx-swap-oob="true">(\d+)<', fragment)
        assert count, f"no count for {name}"
        found[name] = int(count.group(1))
    return found
