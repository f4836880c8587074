"""``reformsim serve``: a local web page to try reforms on (:mod:`sim.web.server`).

The page is a thin view; what it shows and does is in :mod:`sim.web.workbench` (which chains,
which levers each step allows, a run of the register's checks of one chain under the page's
what-if, saving it as a scenario file and a report), built only from the modules the command line
uses, so the page says what ``reformsim assess`` would say. The page's files are package data
(``sim/web/static``).
"""
