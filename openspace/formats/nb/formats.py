from django.conf.locale.nb.formats import *  # noqa: F403

# Accept both 13:45 and 13.45, as people type times either way.
TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
