"""A learner's training: their list of modules, reading, quizzes, attestations.

`rules` orders the list (what needs doing first), `operations` starts and submits
attempts, signs and completes (flushes only; the caller commits), `queries` reads
the pages' data, `routes` has the pages.
"""
