"""Pure parsers from raw text (files, command output, HTTP bodies) to plain data.

Every parser accepts malformed, truncated, hostile and huge input and answers with a clear
result (often an `error` field) instead of raising.
"""
