from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import ratelimit


@require_safe
@never_cache
def livez(request):
    """The process is up and answering. Touches nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def healthz(request):
    """The app can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def home(request):
    """The bare address: participants land on the join page."""
    return redirect("events:join")


class LoginView(auth_views.LoginView):
    """Django's login, rate-limited: every attempt counts against the address, and
    failed ones against the user name typed (settings.RATE_LIMITS["login"])."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150].strip().lower()
        person = f"user:{username}" if username else None
        wait = ratelimit.count(request, "login") or ratelimit.blocked(
            request, "login", person=person
        )
        if wait:
            return ratelimit.too_many(request, wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")[:150].strip().lower()
        if username:
            # Counted per user name only: the address was counted in post().
            ratelimit.count(self.request, "login", person=f"user:{username}", by_ip=False)
        return super().form_invalid(form)


def bad_request(request, exception):
    """400, or 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, as a page in the person's
    language. Django's own 400 view is an English page without the site around it, and is
    wrapped in requires_csrf_token, whose CSRF check reads request.POST again: a body that
    could not be parsed the first time then raised inside the error page (a bare 500)."""
    too_large = isinstance(exception, RequestDataTooBig)
    return render(request, "400.html", {"too_large": too_large}, status=413 if too_large else 400)
