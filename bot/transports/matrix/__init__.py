"""Matrix transport (matrix-nio, end-to-end encryption with vodozemac).

Only this package imports `nio`; everything it hands to the core is a plain
IncomingMessage, everything it gets back a rendered OutgoingMessage.
"""
from .memory import QuestionMemory
from .transport import MatrixTransport

__all__ = ["MatrixTransport", "QuestionMemory"]
