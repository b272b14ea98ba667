"""Code that both processes of a grading run: the sandboxed worker (the parts' ``probes.py``
and ``autograder/probes``) and the grader (the parts' ``checks.py`` and ``autograder/graders``).
Plain functions of plain data; neither side imports the other's modules, and they talk only
through ``autograder/wire.py``."""
