"""Code shared by every function: models, errors, the action registry and AWS clients.

Nothing here imports CDK; each function's bundle carries a copy of this package.
"""
