# English with a 24-hour clock: the product's users read times as 13.45, not 1:45 p.m.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_INPUT_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
