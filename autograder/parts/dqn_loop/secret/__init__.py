"""Secret (``autograder/secrecy.py``): the hidden tests of part dqn_loop, their fixtures and the
builders of the part's fixture cases."""
