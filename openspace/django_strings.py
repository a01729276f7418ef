"""Strings of Django itself that its own catalogues lack in some of our languages.

Django 6 labels the empty choice of a select "- Select an option -"; its Swedish and
Norwegian catalogues do not have that string yet (Danish does), so a Swedish page
showed it in English. Marked here, makemessages keeps it in our catalogues, which
Django reads before its own (LOCALE_PATHS).
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),
]
