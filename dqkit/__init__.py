"""Provided code for the deep Q-learning homework: read it, use it, do not edit it.

Your work goes in the modules of ``assignments/``; everything here (batch types, input
checks, networks, environment helpers, plotting) is shared plumbing so that every
student's code fits the same grader.
"""
