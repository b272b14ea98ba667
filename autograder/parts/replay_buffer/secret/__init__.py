"""Secret (``autograder/secrecy.py``): the hidden tests of part replay_buffer, their fixtures and the
builders of the part's fixture cases."""
