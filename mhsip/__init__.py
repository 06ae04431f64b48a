"""`python -m mhsip` entry point; the code lives in flows, transforms, expectations, warehouse."""
