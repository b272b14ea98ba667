"""Part target_network: target networks: the hard copy and the Polyak average of the online network.

The student's module is ``assignments/target_network.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
