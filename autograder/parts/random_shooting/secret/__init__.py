"""Secret (``autograder/secrecy.py``): the hidden tests of part random_shooting, their fixtures and the
builders of the part's fixture cases."""
