"""Part naf: normalized advantage functions: a quadratic Q whose maximum is known in closed form, on Pendulum-v1.

The student's module is ``assignments/naf.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
