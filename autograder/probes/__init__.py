"""Probes: code that runs inside the worker, next to the student's modules.

A probe calls the student's code on inputs sent by a grader test and returns only plain
data: numbers, strings, lists, dicts and numpy arrays copied out of exactly-typed torch
tensors. It makes no judgement; the grader compares in its own process. Each module here
is named after the student module it exercises and lists its callable probes in
``PROBES``.
"""
