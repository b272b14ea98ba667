"""Secret (``autograder/secrecy.py``): the hidden tests of part double_dqn, their fixtures and the
builders of the part's fixture cases."""
