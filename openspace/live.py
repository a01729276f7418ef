"""Cheap "has anything changed?" checks for polling pages (see docs/live-updates.md).

Every write that a participant or the wall can see bumps Event.version. A polling
page sends the ETag it last got in If-None-Match; when the event's version (and the
viewer's language and identity, which change the rendering) are the same, the view
answers 304 Not Modified before it renders anything.
"""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def version_etag(request, event, viewer) -> str:
    who = viewer.participant.pk if viewer.participant else 0
    role = "f" if viewer.is_facilitator else "p"
    return f'"v{event.version}-{request.LANGUAGE_CODE}-{role}{who}"'


def not_modified(request, etag: str) -> HttpResponse | None:
    """A 304 response when the client already holds `etag`, else None."""
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        patch_cache_control(response, no_cache=True, private=True)
        return response
    return None


def with_etag(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True, private=True)
    return response
