"""What the parts' checks share, on the grader's side: ``support`` (points, failures,
fixtures), ``policies`` (greedy returns measured by the grader), ``learning`` (the learning
check), ``statistics`` (tolerances of the statistical checks), ``q_targets`` (checks of
Q-learning targets) and ``continuous`` (checks of action maximizers). Each part's own checks
are in ``autograder/parts/<part>/checks.py``."""
