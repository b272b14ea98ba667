"""Code that both processes of a grading run: the sandboxed worker (``autograder/probes``) and
the grader (``autograder/graders``). Plain functions of plain data; neither side imports the
other's modules, and they talk only through ``autograder/wire.py``."""
