# Django's English is American ("Dec. 1, 2026"); readers worldwide read the day before the month with
# the month written out, never mistaking 1/12 for 12/1.
DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"
