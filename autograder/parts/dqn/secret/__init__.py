"""Secret (``autograder/secrecy.py``): the hidden tests of part dqn, their fixtures and the
builders of the part's fixture cases."""
