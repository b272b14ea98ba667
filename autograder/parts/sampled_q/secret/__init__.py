"""Secret (``autograder/secrecy.py``): the hidden tests of part sampled_q, their fixtures and the
builders of the part's fixture cases."""
