from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def home(request, slug):
    return HttpResponse("TODO")


wall = topic_detail = home
