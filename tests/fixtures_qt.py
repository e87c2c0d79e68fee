"""Qt fixtures: the qasync loop for pytest-qt tests."""
