"""Delivery: the outbox that takes a stored request to PAT's mailbox (retries, leases), and the
e-mail it becomes.
"""
