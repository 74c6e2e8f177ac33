"""The demo organisation (`flask lms demo`): `operations` builds it, `org` plans its people
and management tree, `history` simulates two years of training, `bulk` inserts it fast.
"""
