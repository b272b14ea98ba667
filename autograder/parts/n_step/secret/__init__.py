"""Secret (``autograder/secrecy.py``): the hidden tests of part n_step, their fixtures and the
builders of the part's fixture cases."""
