"""The queues' template tag: the sidebar's queues and saved views."""

from django import template

from .. import queues
from ..views import COUNTS_COOKIE, counts_url

register = template.Library()


@register.inclusion_tag("workspace/queues/sidebar.html", takes_context=True)
def queue_sidebar(context):
    """Every workspace page's named queues and the agent's saved views. Their counts come
    after the page, from :func:`sampark.workspace.queue_views.queue_counts` (see
    ``views.COUNTS_COOKIE``): a page does not wait for them, and the browser reuses them for
    a while as the agent moves from page to page."""
    request = context["request"]
    agent = context.get("agent")
    if agent is None or not request.user.is_authenticated:
        return {"show": False}
    match = request.resolver_match
    here = (
        (match.url_name, match.kwargs.get("name") or match.kwargs.get("view_id")) if match else None
    )
    version = request.COOKIES.get(COUNTS_COOKIE, "")
    return {
        "show": True,
        "queues": queues.NAMED_QUEUES.values(),
        "counts_url": counts_url(version),
        "views": queues.sidebar_views(request.user, queues.my_group_ids(request.user)),
        "here": here,
    }
