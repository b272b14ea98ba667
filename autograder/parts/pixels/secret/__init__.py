"""Secret (``autograder/secrecy.py``): the hidden tests of part pixels, their fixtures and the
builders of the part's fixture cases."""
