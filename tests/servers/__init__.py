"""Servers the test suites start or find: MongoDB (nx-27017 or a real one)."""
