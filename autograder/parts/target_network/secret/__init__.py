"""Secret (``autograder/secrecy.py``): the hidden tests of part target_network, their fixtures and the
builders of the part's fixture cases."""
