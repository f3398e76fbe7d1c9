"""The tests of the optional extras (calendars, FHIR, notebooks) and of the whole pipeline with
its exports: the ``minimal`` session, which installs no extra, skips this folder.
"""
