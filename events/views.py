from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def join(request):
    return HttpResponse("TODO")


join_event = resume = qr_svg = dashboard = join
