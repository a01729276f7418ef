from django.conf import settings


def site(request):
    return {
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "ACCESSIBILITY_STATEMENT_URL": getattr(settings, "ACCESSIBILITY_STATEMENT_URL", ""),
    }
