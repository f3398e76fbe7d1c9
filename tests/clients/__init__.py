"""The writers of plans and documents that other people's software checks (``nox -s clients``)."""
