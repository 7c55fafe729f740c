"""The Content-Security-Policies of what Sachstand serves and writes: a module of constants, so
a report written on the command line does not import the web server (aiohttp) for a string."""
from __future__ import annotations

CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
# the same inside the pages (<meta>), so the static export carries it wherever it is hosted;
# a <meta> policy cannot say frame-ancestors, and the export's forms go to the bot's server
META_CSP = "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action"
# the reports are files to read offline and print: their styles are inline, nothing else runs
REPORT_CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
