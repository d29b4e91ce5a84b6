import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llrc.settings")
application = get_wsgi_application()

# Import the search stack now (dictionaries of jieba, pypinyin, OpenCC) and move everything loaded so far
# out of the garbage collector's view: otherwise each full collection rescans ~200,000 long-lived objects,
# a pause of most of a second under load (bench/RESULTS.md).
import gc  # noqa: E402

import llrc.search.services  # noqa: E402, F401

gc.freeze()
