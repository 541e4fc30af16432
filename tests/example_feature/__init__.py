"""A whole feature in two small modules, to show (and test) what adding one takes: ``chat``
(its side of bot/) and ``step`` (its side of jobs/). In the bot it would be a package
``bot/ping/`` and ``jobs/ping/``, and one line in each of ``bot/features.py`` and
``jobs/features.py``; the test adds those lines by passing the longer lists."""
