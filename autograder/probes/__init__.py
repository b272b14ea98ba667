"""What the parts' probes share: worker-side helpers.

A probe (``autograder/parts/<part>/probes.py``) is code that runs inside the worker, next to
the student's modules. It calls the student's code on inputs sent by a grader test and
returns only plain data: numbers, strings, lists, dicts and numpy arrays copied out of
exactly-typed torch tensors. It makes no judgement; the grader compares in its own process.
Each part's ``probes.py`` lists its callable probes in ``PROBES``. The modules here hold
what several parts' probes use: turning results into plain data (``_convert``), the
recording analytic critic of the continuous-action parts (``_analytic_q``) and the
collection of trained parameters (``_training``).
"""
