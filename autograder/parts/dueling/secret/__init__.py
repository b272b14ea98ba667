"""Secret (``autograder/secrecy.py``): the hidden tests of part dueling, their fixtures and the
builders of the part's fixture cases."""
